//! The API integration tests: the real router served on a loopback port over a freshly
//! migrated database with the demo city seeded, driven over HTTP as a client would. They live
//! beside the binary, the composition root, because the platform they serve runs its reads on
//! the real query engine (`gongshu-engine`), which the web crate does not depend on.
//!
//! Every test is registered twice, as `sqlite::<module>::<name>` (always run, on a temporary
//! SQLite file) and `postgres::<module>::<name>` (run when `GONGSHU_TEST_DATABASE_URL` names a
//! PostgreSQL server; each test gets a database of its own, dropped afterwards). Each test runs
//! on its own tokio runtime, so a failing test cannot disturb another.

mod accounts;
mod audit;
mod audit_chain;
mod auth;
mod authz_matrix;
mod calendar;
mod catalog_audit;
mod catalog_deadlines;
mod catalog_elements;
mod catalog_excel;
mod catalog_fixtures;
mod catalog_grade_rules;
mod catalog_region;
mod catalog_review;
mod catalog_scheme;
mod catalog_search;
mod catalog_two_level;
mod catalog_validation;
mod catalog_visibility;
mod catalog_workflow;
mod ckan;
mod closures;
mod concurrency;
mod confidentiality;
mod console_data;
mod console_pages;
mod console_sharing;
mod data;
mod dcat;
mod demo_data;
mod derivatives;
mod errors;
mod hardening_modes;
mod hardening_openapi;
mod hardening_pool;
mod hardening_sql;
mod login_throttle;
mod notifications;
mod objections;
mod orgs;
mod platform;
mod portal;
mod quality;
mod quality_tickets;
mod read_decision;
mod registration;
mod share_assessment;
mod sharing;
mod stored_records;
mod support;
mod versions;
mod versions_held;
mod versions_s3;
mod web_defaults;

use std::future::Future;
use std::pin::Pin;

use libtest_mimic::{Arguments, Failed, Trial};
use support::{Backend, TestApp};

/// The environment variable that selects the PostgreSQL run.
const PG_ENV: &str = "GONGSHU_TEST_DATABASE_URL";

type TestFuture = Pin<Box<dyn Future<Output = ()> + Send>>;
type TestFn = fn(TestApp) -> TestFuture;

/// `module::name` pairs become `("module::name", fn)` entries.
macro_rules! tests {
    ($($module:ident :: $name:ident),* $(,)?) => {
        vec![$(
            (
                concat!(stringify!($module), "::", stringify!($name)),
                (|app| Box::pin($module::$name(app))) as TestFn,
            )
        ),*]
    };
}

fn all_tests() -> Vec<(&'static str, TestFn)> {
    tests![
        platform::health_readiness_and_metrics_answer,
        hardening_pool::concurrent_anonymous_entry_reads_never_stall_the_pool,
        hardening_pool::an_exhausted_pool_answers_503_with_retry_after,
        hardening_sql::the_sql_attacks_of_the_review_answer_4xx_with_a_named_code,
        hardening_sql::health_login_and_search_stay_responsive_while_the_sql_executor_is_saturated,
        hardening_openapi::the_openapi_document_matches_what_the_api_answers,
        hardening_modes::h20_every_read_path_is_one_share_mode_checked_against_the_grant,
        hardening_modes::h20_api_query_grants_page_sql_and_aggregates_bulk_grants_stream_everything,
        hardening_modes::h20_an_explicit_mode_is_checked_against_the_grant_both_ways,
        versions::utf8_and_gbk_files_become_numbered_versions_with_digests,
        versions::a_bad_cell_refuses_the_file_unless_bad_rows_are_dropped,
        versions::other_agencies_get_404_and_drafts_get_409,
        versions::a_withdrawn_version_is_listed_as_withdrawn,
        versions::orphaned_files_are_removed_at_start,
        versions::dropped_rows_are_kept_in_a_rejects_file_the_owner_downloads,
        versions::uploads_over_the_configured_limits_are_refused_with_413,
        versions_held::h11_h19_a_header_only_csv_is_held_and_grantees_keep_the_current_version,
        versions_held::h12_a_sharp_drop_is_held_until_confirmed_and_the_public_keeps_the_current_data,
        versions_held::h11_a_header_matching_no_item_is_refused_with_found_and_expected_columns,
        versions_held::h11_an_xlsx_title_row_is_skipped_and_reported,
        versions_held::the_data_page_shows_a_held_version_and_confirms_it,
        versions_held::h11_a_decompression_bomb_workbook_is_refused_and_nothing_is_kept,
        versions_s3::versions_on_s3_h11_h19_upload_read_rejects_withdraw_and_sweep,
        data::the_owner_pages_through_filtered_rows_with_a_cursor,
        data::every_format_downloads_the_rows,
        data::h19_the_public_sees_masked_items_and_cannot_filter_through_them,
        data::aggregates_and_sql_answer_and_refuse,
        data::unreadable_data_and_bad_parameters_are_refused_clearly,
        derivatives::h19_a_not_shared_entry_is_shared_masked_through_an_approved_derivative,
        derivatives::h19_a_derivative_proposal_is_checked_against_its_source,
        derivatives::h19_the_console_proposes_a_derivative_and_shows_its_rules,
        share_assessment::h19_conditional_entries_are_assessed_yearly_keep_or_convert,
        sharing::h20_h21_an_approved_request_grants_exactly_what_was_approved_until_it_ends,
        read_decision::h20_a_grant_with_a_corrupt_row_filter_refuses_the_read,
        read_decision::h20_h41_refused_reads_are_audited_with_their_reason,
        read_decision::h18_h20_a_revision_whose_stored_lists_do_not_parse_is_refused_not_emptied,
        confidentiality::h34_an_entry_is_opened_only_after_a_confidentiality_review,
        confidentiality::h34_a_share_of_sensitive_items_is_approved_only_after_a_confidentiality_review,
        confidentiality::h33_h34_the_head_and_the_security_lead_are_named_on_the_organisation,
        confidentiality::h33_h34_the_console_names_the_lead_and_signs_the_review,
        sharing::h21_a_refusal_cites_a_legal_basis_and_decisions_are_final,
        sharing::h21_unconditional_is_granted_at_once_and_not_shared_only_verifies,
        sharing::h21_an_unanswered_request_is_reminded_then_escalated_over_a_holiday,
        sharing::h41_a_suspended_user_or_organisation_is_refused_at_once,
        closures::h41_the_source_closes_a_grantees_access_to_its_entry_until_corrected,
        closures::h41_a_source_closes_only_its_own_data_and_a_county_authority_only_its_county,
        closures::h41_a_closure_is_made_seen_and_reopened_in_the_console,
        objections::h27_an_objection_suspends_the_opening_at_once_until_the_source_restores_it,
        objections::h27_a_risk_is_flagged_by_the_source_and_ends_in_reopening_or_withdrawal,
        objections::h27_no_row_is_served_after_the_objection_commits_with_reads_in_parallel,
        objections::h27_objections_from_one_address_are_limited,
        objections::h27_a_download_in_progress_is_cut_when_the_opening_is_suspended,
        objections::h27_a_visitor_objects_and_the_source_answers_in_the_console,
        sharing::h17_h34_the_lists_show_demands_duties_usage_reports_and_negative_entries,
        sharing::h22_a_demand_is_reviewed_assigned_answered_and_delivered,
        sharing::h23_a_demand_for_upper_level_data_goes_upward_and_is_tracked,
        stored_records::h22_h23_a_demand_with_a_corrupt_history_or_state_is_an_error_not_a_default,
        stored_records::h11_h20_a_version_with_a_corrupt_schema_is_an_error_not_an_empty_schema,
        stored_records::h11_h12_a_version_with_a_corrupt_quality_manifest_is_an_error_not_unscored,
        sharing::the_demo_city_seeds_its_sharing_once,
        sharing::h21_verification_answers_match_or_no_match_and_never_a_value,
        sharing::h21_verification_is_limited_per_grant_in_keys_a_minute,
        sharing::h21_replicas_share_one_key_budget,
        quality::h11_owner_adds_validated_rules_and_each_change_is_audited,
        quality::h11_b17_a_version_is_scored_while_ingested_with_its_worst_rows,
        quality::h12_stale_data_loses_timeliness_and_is_listed_as_overdue,
        quality_tickets::h11_b17_a_version_with_failed_rules_opens_a_ticket_closed_after_a_correction,
        quality_tickets::h11_b17_a_user_report_opens_a_ticket_answered_reopened_and_closed,
        quality_tickets::h12_b17_stale_data_opens_a_ticket_and_unanswered_ones_are_overdue_to_the_authority,
        quality_tickets::h13_h11_the_cross_source_check_files_a_ticket_against_the_non_source_entry,
        quality_tickets::h11_b17_the_console_takes_reports_and_answers_and_lists_overdue_tickets,
        quality_tickets::h11_b17_the_demo_city_shows_open_quality_tickets,
        platform::openapi_lists_every_api_route_the_router_serves,
        demo_data::the_demo_datasets_become_versions_of_at_least_fifteen_entries,
        auth::every_demo_user_can_log_in_with_the_demo_password,
        auth::wrong_password_and_unknown_user_get_the_same_answer,
        auth::five_wrong_passwords_from_one_address_pause_its_logins_for_fifteen_minutes,
        auth::session_cookie_is_http_only_and_same_site_strict,
        auth::logout_ends_the_session_on_the_server,
        auth::an_idle_session_expires_after_thirty_minutes,
        auth::a_session_ends_after_twelve_hours_however_active,
        auth::the_security_policy_governs_lockout_and_idle_time,
        login_throttle::b8_a_lock_ends_neither_the_owners_session_nor_its_token,
        login_throttle::b8_guesses_from_one_address_do_not_stop_the_owner_at_another,
        login_throttle::b8_twelve_parallel_correct_logins_all_succeed,
        login_throttle::b8_parallel_guesses_never_get_more_checked_than_the_limit,
        login_throttle::b8_unknown_and_known_names_answer_alike_under_throttling,
        web_defaults::a_cross_origin_console_post_is_refused_and_a_same_origin_one_accepted,
        web_defaults::cookie_api_writes_from_another_origin_are_refused_and_bearer_ones_are_not,
        web_defaults::the_session_cookie_is_secure_and_hsts_sent_unless_insecure_cookies,
        web_defaults::every_response_carries_a_referrer_policy,
        web_defaults::metrics_answer_loopback_allowed_addresses_and_the_token_only,
        authz_matrix::each_role_may_do_exactly_what_the_matrix_allows,
        authz_matrix::granting_a_second_triad_role_breaks_separation_of_duties,
        authz_matrix::security_admin_cannot_grant_a_role_to_itself,
        authz_matrix::system_admin_cannot_reset_the_passwords_of_the_other_two_triad_roles,
        authz_matrix::agency_admin_sees_only_its_own_agencys_accounts,
        audit::each_change_writes_exactly_one_success_event,
        audit::reads_write_no_events,
        audit::a_denied_action_writes_a_denied_event,
        audit::a_failed_login_writes_a_failed_event,
        audit::auditor_filters_and_pages_events,
        audit_chain::the_chain_verifies_on_a_fresh_demo_database,
        audit_chain::the_database_refuses_to_update_or_delete_audit_events,
        audit_chain::editing_an_event_payload_breaks_the_chain_at_that_event,
        audit_chain::editing_an_event_actor_breaks_the_chain_at_that_event,
        audit_chain::deleting_an_event_in_the_middle_breaks_the_chain_at_that_event,
        audit_chain::swapping_two_events_breaks_the_chain_at_the_first_of_them,
        audit_chain::deleting_the_last_event_is_reported_as_truncation,
        audit_chain::auditor_sees_the_break_through_the_api,
        audit_chain::a_forged_event_with_a_fresh_hash_breaks_the_link_to_its_successor,
        audit_chain::a_forged_last_event_is_named_by_its_own_sequence_number,
        concurrency::concurrent_writers_never_fork_the_chain,
        concurrency::concurrent_triad_grants_leave_one_triad_role,
        concurrency::verifying_while_writing_finds_the_chain_intact,
        errors::malformed_json_is_a_400_problem,
        errors::an_unknown_field_is_a_422_problem,
        errors::a_body_over_one_mebibyte_is_a_413_problem,
        errors::a_body_without_json_content_type_is_a_415_problem,
        errors::unknown_api_paths_are_404_problems_and_console_paths_are_pages,
        errors::a_wrong_method_is_a_405_problem,
        errors::requests_without_credentials_are_401_problems,
        errors::bad_query_parameters_are_a_400_problem,
        errors::request_ids_are_returned_and_recorded,
        errors::huge_page_numbers_are_not_a_server_error,
        orgs::system_admin_creates_updates_and_lists_organisations,
        orgs::a_bad_credit_code_is_rejected_on_its_field,
        orgs::a_duplicate_credit_code_is_rejected,
        orgs::a_county_agency_cannot_sit_under_the_city_authority,
        orgs::an_organisation_with_accounts_or_children_cannot_be_deleted,
        orgs::an_empty_organisation_can_be_deleted,
        orgs::agency_admin_keeps_its_own_liaison_up_to_date,
        orgs::an_update_cannot_strand_the_children_of_an_organisation,
        orgs::an_update_cannot_change_the_kind_under_its_members_roles,
        accounts::passwords_shorter_than_ten_characters_are_refused,
        accounts::a_password_equal_to_the_user_name_is_refused,
        accounts::a_new_account_has_no_roles_until_the_security_admin_grants_one,
        accounts::a_taken_user_name_is_refused,
        accounts::disabling_an_account_ends_its_sessions,
        accounts::resetting_a_password_ends_sessions_and_the_new_password_works,
        accounts::an_api_token_is_shown_once_works_as_bearer_and_dies_when_revoked,
        accounts::an_expired_api_token_no_longer_works,
        accounts::changing_my_password_ends_my_other_sessions,
        accounts::system_admin_lifts_a_lockout,
        accounts::account_search_ignores_case_on_both_databases,
        calendar::known_deadlines_come_out_right,
        calendar::a_deadline_in_an_unloaded_year_is_provisional_until_the_year_is_imported,
        calendar::an_invalid_year_file_is_refused,
        calendar::only_the_city_authority_imports_a_year,
        calendar::the_authority_is_warned_about_a_coming_year_without_a_notice,
        registration::a_person_with_a_valid_citizen_id_registers_and_gets_only_the_public_role,
        registration::a_company_registers_with_its_credit_code,
        registration::an_invalid_citizen_id_is_refused_on_its_field,
        registration::a_lowercase_check_character_is_stored_normalised,
        catalog_validation::the_fixture_entry_is_accepted_as_a_draft,
        catalog_validation::an_entry_marked_state_secret_is_refused,
        catalog_validation::sharing_rules_name_the_field_they_concern,
        catalog_validation::opening_rules_name_the_field_they_concern,
        catalog_validation::the_grade_limits_sharing_and_opening,
        catalog_validation::item_rules_name_the_item_they_concern,
        catalog_validation::unknown_categories_elements_and_values_are_refused,
        catalog_validation::all_broken_rules_are_reported_together,
        catalog_validation::an_item_error_names_the_item_even_after_an_unparseable_item,
        catalog_workflow::an_entry_goes_from_draft_through_review_to_published,
        catalog_workflow::editing_a_published_entry_makes_a_revision_that_supersedes_it_when_approved,
        catalog_workflow::a_returned_entry_shows_its_reasons_and_goes_back_for_review_after_editing,
        catalog_workflow::every_illegal_transition_is_refused,
        catalog_workflow::returning_without_reasons_is_refused,
        catalog_workflow::only_the_owner_submits_and_only_its_authority_decides,
        catalog_review::h8_county_entries_are_reviewed_by_the_county_then_the_city_and_city_entries_by_the_city,
        catalog_review::each_authority_desk_lists_what_awaits_its_decision,
        catalog_review::two_reviewers_deciding_at_once_make_exactly_one_decision,
        catalog_two_level::h8_a_county_entry_is_published_only_after_the_county_and_then_the_city_approve,
        catalog_two_level::h8_a_county_reports_a_batch_to_the_city_and_the_city_approves_it_at_once,
        catalog_two_level::h8_the_console_desks_report_and_approve_a_batch,
        catalog_two_level::h8_the_demo_city_has_a_county_catalog_awaiting_the_citys_review,
        catalog_region::h8_the_city_catalog_submission_to_the_region_keeps_its_package_digest_and_answer,
        catalog_region::h8_an_empty_city_catalog_cannot_be_submitted,
        catalog_region::h8_a_stored_submission_or_county_approval_that_does_not_parse_is_refused,
        catalog_deadlines::review_and_update_deadlines_skip_national_day_and_count_the_worked_saturday,
        catalog_deadlines::update_duties_appear_on_the_desks_of_their_area,
        catalog_elements::the_registry_lists_the_h13_and_h14_elements,
        catalog_elements::an_element_with_a_source_cannot_get_a_second_one,
        catalog_elements::collecting_another_departments_element_is_flagged_with_the_source_entries,
        catalog_elements::citizen_id_and_credit_code_items_say_what_they_identify,
        catalog_visibility::anonymous_callers_see_open_published_entries_only,
        catalog_visibility::a_draft_is_visible_to_its_agency_and_reviewing_authority_only,
        catalog_visibility::others_read_the_published_revision_while_a_new_one_is_drafted,
        catalog_visibility::mine_lists_my_agencys_entries_with_drafts,
        catalog_search::chinese_queries_put_the_expected_demo_entries_first,
        catalog_search::the_public_search_never_shows_a_not_open_entry,
        catalog_search::facet_filters_narrow_the_results,
        catalog_search::results_are_paginated,
        catalog_search::a_newly_approved_entry_is_found_right_after_approval,
        catalog_excel::an_agency_exports_its_catalog_and_imports_it_back,
        catalog_excel::rows_without_a_code_are_imported_as_new_drafts,
        catalog_excel::one_bad_cell_fails_the_whole_import_naming_the_cell,
        catalog_excel::imports_that_are_not_ours_to_make_are_refused,
        catalog_excel::rows_that_cannot_apply_are_cell_errors,
        catalog_excel::values_spelt_as_the_instructions_say_are_accepted,
        catalog_scheme::the_default_scheme_is_version_one_and_public,
        catalog_scheme::entries_keep_the_scheme_version_they_were_graded_under,
        catalog_scheme::only_the_city_authority_changes_the_scheme,
        catalog_grade_rules::h7_h36_the_authority_changes_the_grade_rules_and_the_allowed_types_follow,
        catalog_grade_rules::h7_h25_a_departure_from_the_grades_suggestion_needs_a_reason_the_reviewer_sees,
        catalog_grade_rules::h36_the_entry_form_asks_for_the_departure_reason,
        catalog_grade_rules::h7_a_scheme_with_incomplete_or_contradictory_grade_rules_is_refused,
        catalog_grade_rules::h7_a_scheme_version_stored_without_grade_rules_reads_with_the_former_rules,
        catalog_audit::every_catalog_step_writes_exactly_one_success_event,
        catalog_audit::reads_write_nothing_and_a_denial_writes_a_denied_event,
        console_pages::every_page_answers_each_user_as_the_access_rules_say,
        console_pages::anonymous_visitors_go_to_login_except_for_the_public_catalog,
        console_pages::the_organisation_form_shows_a_bad_credit_code_on_its_field_then_creates,
        console_pages::a_wrong_password_on_the_login_form_is_a_401_page,
        console_pages::the_entry_form_without_a_name_shows_the_field_message,
        console_sharing::h20_the_request_form_shows_field_errors_keeps_input_then_submits,
        console_sharing::h21_the_source_admin_approves_narrower_then_delivers_from_the_console,
        console_sharing::h21_a_refusal_without_a_legal_basis_comes_back_on_its_field,
        console_sharing::h21_an_overdue_request_is_marked_escalated_and_noticed,
        console_sharing::h41_the_city_authority_suspends_grants_and_users_from_the_console,
        console_sharing::h21_the_verification_console_lists_the_grant_and_answers_per_field,
        console_sharing::h21_the_verification_console_refuses_bad_records_and_agencies_without_a_grant,
        notifications::notifications_are_listed_newest_first_and_marked_read_by_their_organisation,
        notifications::the_notifications_page_marks_one_then_all_read,
        console_sharing::h17_the_three_lists_show_each_viewer_its_lines_and_download,
        console_sharing::h19_the_assessment_page_records_keep_and_refuses_an_empty_reason,
        console_sharing::h19_only_the_entrys_agency_gets_the_form_and_may_convert,
        console_data::the_owner_sees_versions_upload_form_preview_statistics_and_downloads,
        console_data::the_public_sees_open_data_masked_and_no_upload_form,
        console_data::data_that_is_not_open_is_404_to_the_public_and_explained_to_staff,
        console_data::the_upload_script_is_served_as_javascript,
        portal::h26_home_figures_change_after_a_download_and_an_api_read,
        portal::h25_search_facets_narrow_open_datasets,
        portal::h25_h26_an_unconditional_dataset_page_shows_everything_the_public_may_know,
        portal::h25_h26_a_conditional_dataset_shows_metadata_and_no_rows,
        portal::h26_a_gbk_csv_download_decodes_as_gbk_with_the_chinese_intact,
        portal::h26_a_dataset_page_carries_valid_schema_org_jsonld,
        portal::h26_the_sitemap_lists_open_datasets_only_and_robots_names_it,
        portal::h26_the_chart_assets_are_served_from_assets_offline,
        ckan::h25_every_catalog_action_answers_in_ckans_envelope_with_open_datasets_only,
        ckan::h25_package_search_finds_chinese_text_with_facets_fq_and_pages,
        ckan::h26_datastore_search_reads_the_data_apis_rows_and_refuses_conditional_data,
        ckan::h25_errors_come_in_ckans_shape_with_ckans_statuses,
        dcat::h25_the_dcat_ap_catalog_parses_with_every_mandatory_property,
    ]
}

fn main() {
    let args = Arguments::from_args();
    let pg_url = std::env::var(PG_ENV).ok().filter(|u| !u.trim().is_empty());
    if pg_url.is_none() {
        eprintln!(
            "PostgreSQL tests skipped: set {PG_ENV}=postgres://postgres@127.0.0.1:5432/postgres to run them"
        );
    }
    let mut trials = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        for (name, test) in all_tests() {
            let url = pg_url.clone();
            let ignored = backend == Backend::Postgres && url.is_none();
            trials.push(
                Trial::test(format!("{}::{name}", backend.as_str()), move || {
                    run(backend, url, test)
                })
                .with_ignored_flag(ignored),
            );
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

/// Sets up a fresh platform, runs one test against it, and tears it down even when the test
/// panics (the PostgreSQL database is dropped either way).
fn run(backend: Backend, pg_url: Option<String>, test: TestFn) -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot build a tokio runtime: {e}"))?;
    runtime.block_on(async move {
        let (app, teardown) = TestApp::spawn(backend, pg_url.as_deref()).await;
        let outcome = tokio::spawn(test(app)).await;
        teardown.run().await;
        match outcome {
            Ok(()) => Ok(()),
            Err(e) if e.is_panic() => {
                let payload = e.into_panic();
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "the test panicked".into());
                Err(message.into())
            }
            Err(e) => Err(format!("the test task did not finish: {e}").into()),
        }
    })
}
