//! Converting between parsed input and stored revision rows.

use gongshu_domain::catalog::{ReviewState, Revision, ShareMode, Vocabulary};
use gongshu_store::catalog::ItemRow;

use super::input::{EntryInput, ItemInput, Parsed};

/// A revision in `state`, built from parsed input; review facts start empty.
pub(crate) struct NewRevision<'a> {
    pub entry_id: &'a str,
    pub revision: i64,
    pub scheme_version: i64,
    pub parsed: &'a Parsed,
    pub input: &'a EntryInput,
    pub source_org_id: Option<String>,
    pub created_by: &'a str,
    pub now: i64,
}

pub(crate) fn build(n: NewRevision<'_>) -> (Revision, Vec<ItemRow>) {
    let d = &n.parsed.draft;
    let row = Revision {
        entry_id: n.entry_id.to_owned(),
        revision: n.revision,
        state: ReviewState::Draft,
        scheme_version: n.scheme_version,
        name: d.name.clone(),
        summary: d.summary.clone(),
        category_code: n.parsed.category_code.clone(),
        grade: d.grade.code(),
        data_form: d.data_form,
        share_type: d.share_type,
        share_conditions: d.share_conditions.clone(),
        share_scope: d.share_scope.clone(),
        share_modes: d.share_modes.clone(),
        open_type: d.open_type,
        open_conditions: d.open_conditions.clone(),
        not_open_reason: d.not_open_reason,
        legal_bases: d.legal_bases.clone(),
        update_frequency: d.update_frequency,
        departure_reason: d.departure_reason.clone(),
        source_org_id: n.source_org_id,
        collecting_dept: n.input.collecting_dept.trim().into(),
        approving_dept: n.input.approving_dept.trim().into(),
        providing_dept: n.input.providing_dept.trim().into(),
        related_codes: n
            .input
            .related_codes
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        change_note: n.input.change_note.trim().into(),
        created_by: n.created_by.into(),
        created_at: n.now,
        updated_at: n.now,
        submitted_at: None,
        due_date: None,
        due_provisional: false,
        reviewer_org_id: None,
        county_approval: None,
        reviewed_at: None,
        reviewed_by: None,
        review_reasons: String::new(),
        published_at: None,
    };
    let items = d
        .items
        .iter()
        .zip(&n.parsed.element_codes)
        .enumerate()
        .map(|(i, (item, element))| ItemRow {
            entry_id: n.entry_id.to_owned(),
            revision: n.revision,
            position: i as i64,
            code: item.code.clone(),
            name: item.name.clone(),
            data_type: item.data_type.code().into(),
            description: item.description.clone(),
            grade: item.grade.code(),
            personal: i64::from(item.personal),
            sensitive_kind: item.sensitive.map(|s| s.code().into()),
            masked: i64::from(item.masked),
            element_code: element.clone(),
        })
        .collect();
    (row, items)
}

/// The input that would produce this revision: the starting point of a new revision and the
/// rows of an Excel export.
pub(crate) fn to_input(r: &Revision, items: &[ItemRow]) -> EntryInput {
    EntryInput {
        category_code: r.category_code.clone(),
        name: r.name.clone(),
        summary: r.summary.clone(),
        grade: r.grade.clone(),
        data_form: r.data_form.code().into(),
        share_type: r.share_type.code().into(),
        share_conditions: r.share_conditions.clone(),
        share_scope: r.share_scope.clone(),
        share_modes: ShareMode::codes(&r.share_modes),
        open_type: r.open_type.code().into(),
        open_conditions: r.open_conditions.clone(),
        not_open_reason: r.not_open_reason.map(|n| n.code().into()),
        legal_bases: r.legal_bases.clone(),
        update_frequency: r.update_frequency.code().into(),
        source_org_id: r.source_org_id.clone(),
        collecting_dept: r.collecting_dept.clone(),
        approving_dept: r.approving_dept.clone(),
        providing_dept: r.providing_dept.clone(),
        related_codes: r.related_codes.clone(),
        state_secret: false,
        change_note: r.change_note.clone(),
        departure_reason: r.departure_reason.clone(),
        items: items
            .iter()
            .map(|i| ItemInput {
                code: i.code.clone(),
                name: i.name.clone(),
                data_type: i.data_type.clone(),
                description: i.description.clone(),
                grade: i.grade.clone(),
                personal: i.personal != 0,
                sensitive_kind: i.sensitive_kind.clone(),
                masked: Some(i.masked != 0),
                element_code: i.element_code.clone(),
            })
            .collect(),
    }
}

/// Whether two revisions describe the same thing (workflow facts and notes aside), so an import
/// of an unchanged row does not start a new revision.
pub(crate) fn same_content(
    a: &Revision,
    a_items: &[ItemRow],
    b: &Revision,
    b_items: &[ItemRow],
) -> bool {
    fn fields(r: &Revision) -> impl PartialEq + '_ {
        (
            (
                &r.name,
                &r.summary,
                &r.category_code,
                &r.grade,
                &r.data_form,
            ),
            (
                &r.share_type,
                &r.share_conditions,
                &r.share_scope,
                &r.share_modes,
            ),
            (
                &r.open_type,
                &r.open_conditions,
                &r.not_open_reason,
                &r.legal_bases,
                &r.update_frequency,
                &r.departure_reason,
            ),
            (
                &r.source_org_id,
                &r.collecting_dept,
                &r.approving_dept,
                &r.providing_dept,
                &r.related_codes,
            ),
        )
    }
    fn item(i: &ItemRow) -> impl PartialEq + '_ {
        (
            (&i.code, &i.name, &i.data_type, &i.description, &i.grade),
            (i.personal, &i.sensitive_kind, i.masked, &i.element_code),
        )
    }
    fields(a) == fields(b) && a_items.iter().map(item).eq(b_items.iter().map(item))
}
