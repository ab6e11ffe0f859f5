//! Behaviour of the catalog search: H8 (catalog entries found by name, summary and items), H15
//! (natural-person base database: 户籍, 婚姻, 社保 …) and H16 (legal-person base database:
//! 企业 registration, licences), plus facets, paging and index maintenance.

use std::sync::Arc;

use gongshu_search::{
    CatalogIndex, EntryDoc, Facet, FacetCount, MAX_PER_PAGE, SearchError, SearchQuery,
    SearchResults,
};

/// A general-2, unconditionally shared and open, monthly spreadsheet entry of 市公安局.
fn entry(code: &str, name: &str) -> EntryDoc {
    EntryDoc {
        code: code.into(),
        name: name.into(),
        summary: String::new(),
        item_names: Vec::new(),
        provider_org_id: "org-police".into(),
        provider_name: "市公安局".into(),
        category_code: "B01".into(),
        category_name: "人口".into(),
        grade: "general_2".into(),
        share_type: "unconditional".into(),
        open_type: "unconditional".into(),
        update_frequency: "monthly".into(),
        data_form: "spreadsheet".into(),
        quality: "good".into(),
        published_at: 1_700_000_000_000_000,
    }
}

fn with_summary(mut doc: EntryDoc, summary: &str) -> EntryDoc {
    doc.summary = summary.into();
    doc
}

fn with_items(mut doc: EntryDoc, items: &[&str]) -> EntryDoc {
    doc.item_names = items.iter().map(|s| s.to_string()).collect();
    doc
}

fn index_of(docs: impl IntoIterator<Item = EntryDoc>) -> CatalogIndex {
    let index = CatalogIndex::in_memory().unwrap();
    index.rebuild(docs).unwrap();
    index
}

fn codes(results: &SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.code.as_str()).collect()
}

fn search(index: &CatalogIndex, query: SearchQuery) -> SearchResults {
    index.search(&query).unwrap()
}

fn counts(results: &SearchResults, facet: Facet) -> Vec<(&str, usize)> {
    results.facets[&facet]
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect()
}

/// A small city catalog used by several tests.
fn city_catalog() -> Vec<EntryDoc> {
    let mut marriage = with_items(
        with_summary(entry("101-00002", "婚姻登记信息"), "结婚、离婚登记记录"),
        &["男方姓名", "女方姓名", "户籍所在地", "登记日期"],
    );
    marriage.provider_org_id = "org-civil".into();
    marriage.provider_name = "市民政局".into();
    marriage.published_at += 1;
    let mut insurance = with_items(
        with_summary(
            entry("102-00001", "社会保险参保信息"),
            "全市职工和城乡居民社会保险参保登记、缴费基数和参保状态",
        ),
        &["公民身份号码", "姓名", "险种", "参保状态"],
    );
    insurance.provider_org_id = "org-hrss".into();
    insurance.provider_name = "市人力资源和社会保障局".into();
    insurance.category_code = "T03".into();
    insurance.category_name = "社会保障".into();
    insurance.share_type = "conditional".into();
    insurance.open_type = "not_open".into();
    insurance.grade = "general_3".into();
    insurance.published_at += 2;
    let mut enterprise = with_items(
        with_summary(
            entry("201-00001", "企业登记信息"),
            "经营主体设立、变更、注销登记信息",
        ),
        &["统一社会信用代码", "企业名称", "法定代表人", "登记机关"],
    );
    enterprise.provider_org_id = "org-samr".into();
    enterprise.provider_name = "市市场监督管理局".into();
    enterprise.category_code = "B02".into();
    enterprise.category_name = "法人单位".into();
    enterprise.update_frequency = "daily".into();
    enterprise.data_form = "database".into();
    enterprise.published_at += 3;
    let mut licence = with_items(
        with_summary(
            entry("201-00002", "营业执照电子证照"),
            "企业和个体工商户营业执照的电子证照",
        ),
        &["统一社会信用代码", "名称", "发证日期"],
    );
    licence.provider_org_id = "org-samr".into();
    licence.provider_name = "市市场监督管理局".into();
    licence.category_code = "B04".into();
    licence.category_name = "电子证照".into();
    licence.share_type = "conditional".into();
    licence.data_form = "service_interface".into();
    licence.published_at += 4;
    let mut fund = with_summary(
        entry("103-00001", "住房公积金缴存信息"),
        "职工住房公积金缴存基数和缴存记录",
    );
    fund.provider_org_id = "org-fund".into();
    fund.provider_name = "市住房公积金管理中心".into();
    fund.category_code = "T03".into();
    fund.category_name = "社会保障".into();
    fund.share_type = "not_shared".into();
    fund.open_type = "not_open".into();
    fund.grade = "important".into();
    fund.published_at += 5;
    vec![
        with_items(
            with_summary(
                entry("101-00001", "户籍人口基本信息"),
                "本市户籍人口的身份与登记信息",
            ),
            &["公民身份号码", "姓名", "性别", "出生日期"],
        ),
        marriage,
        insurance,
        enterprise,
        licence,
        fund,
    ]
}

// H8, H15: 户籍 in the name outranks 户籍 in an item name only.
#[test]
fn huji_ranks_the_entry_named_for_it_above_one_mentioning_it_in_an_item() {
    let index = index_of(city_catalog());
    let results = search(&index, SearchQuery::text("户籍"));
    assert_eq!(codes(&results), ["101-00001", "101-00002"]);
    assert_eq!(results.total, 2);
    let scores: Vec<f32> = results.hits.iter().map(|h| h.score.unwrap()).collect();
    assert!(scores[0] > scores[1], "{scores:?}");
}

// H8: name above summary above item names, all else equal.
#[test]
fn a_name_match_outranks_a_summary_match_which_outranks_an_item_match() {
    let index = index_of([
        with_items(entry("1", "人口信息"), &["学籍"]),
        entry("2", "学籍信息"),
        with_summary(entry("3", "人口信息"), "学籍"),
    ]);
    let results = search(&index, SearchQuery::text("学籍"));
    assert_eq!(codes(&results), ["2", "3", "1"]);
}

// H15: 社保 (the abbreviation people type) finds the social-insurance entry, whose text only says
// 社会保险; the match comes from the documented abbreviation table, and a text that does say 社保
// is found too.
#[test]
fn shebao_finds_social_insurance_entries() {
    let mut catalog = city_catalog();
    catalog.push(with_summary(
        entry("102-00002", "职工缴费记录"),
        "社保缴费明细",
    ));
    let index = index_of(catalog);
    let results = search(&index, SearchQuery::text("社保"));
    assert_eq!(results.total, 2);
    assert_eq!(
        codes(&results)[0],
        "102-00001",
        "the entry named 社会保险… comes first"
    );
    assert!(codes(&results).contains(&"102-00002"));

    // And the other way round: the full form finds the entry that only says 社保.
    let results = search(&index, SearchQuery::text("社会保险"));
    assert!(codes(&results).contains(&"102-00002"));
    assert_eq!(codes(&results)[0], "102-00001");
}

// H16: 企业 finds the enterprise registration and licence entries, registration first.
#[test]
fn qiye_finds_enterprise_registration_entries() {
    let index = index_of(city_catalog());
    let results = search(&index, SearchQuery::text("企业"));
    assert_eq!(codes(&results), ["201-00001", "201-00002"]);
}

// H8: every word of a multi-word query must match.
#[test]
fn every_word_of_the_query_must_match() {
    let index = index_of(city_catalog());
    let results = search(&index, SearchQuery::text("企业 电子证照"));
    assert_eq!(codes(&results), ["201-00002"]);
    let results = search(&index, SearchQuery::text("住房公积金缴存"));
    assert_eq!(codes(&results), ["103-00001"]);
    // A part of a long word finds it (search-mode segmentation of the documents).
    let results = search(&index, SearchQuery::text("公积金"));
    assert_eq!(codes(&results), ["103-00001"]);
}

// H8: when no entry holds every word, entries holding some of them are better than nothing.
#[test]
fn a_query_no_entry_fully_matches_falls_back_to_any_word() {
    let index = index_of(city_catalog());
    let results = search(&index, SearchQuery::text("户籍 火星基地"));
    assert_eq!(codes(&results), ["101-00001", "101-00002"]);
}

// H8: the agency's name is searchable, with a low weight.
#[test]
fn the_agency_name_is_searchable() {
    let index = index_of(city_catalog());
    let results = search(&index, SearchQuery::text("民政局"));
    assert_eq!(codes(&results), ["101-00002"]);
}

// H8: a resource code finds its entry.
#[test]
fn an_exact_code_finds_its_entry() {
    let index = index_of(city_catalog());
    let results = search(&index, SearchQuery::text(" 201-00002 "));
    assert_eq!(codes(&results), ["201-00002"]);
}

#[test]
fn latin_text_matches_case_insensitively() {
    let index = index_of([entry("1", "GIS 空间数据"), entry("2", "人口")]);
    assert_eq!(codes(&search(&index, SearchQuery::text("gis"))), ["1"]);
}

// H8: without text, newest first, and facets still counted.
#[test]
fn without_text_results_are_newest_first() {
    let index = index_of(city_catalog());
    let results = search(&index, SearchQuery::default());
    assert_eq!(results.total, 6);
    assert_eq!(
        codes(&results),
        [
            "103-00001",
            "201-00002",
            "201-00001",
            "102-00001",
            "101-00002",
            "101-00001"
        ]
    );
    assert!(results.hits.iter().all(|h| h.score.is_none()));
    assert_eq!(
        counts(&results, Facet::ShareType),
        [("unconditional", 3), ("conditional", 2), ("not_shared", 1)]
    );
}

// H15, H16: facet counts over the whole result, with agency and category labels.
#[test]
fn facets_count_every_value_with_labels() {
    let index = index_of(city_catalog());
    let results = search(&index, SearchQuery::default());
    assert_eq!(results.facets.len(), Facet::ALL.len());
    assert_eq!(
        results.facets[&Facet::Agency][0],
        FacetCount {
            value: "org-samr".into(),
            label: Some("市市场监督管理局".into()),
            count: 2,
        }
    );
    assert_eq!(
        counts(&results, Facet::Category),
        [("B01", 2), ("T03", 2), ("B02", 1), ("B04", 1)]
    );
    let category_labels: Vec<_> = results.facets[&Facet::Category]
        .iter()
        .map(|c| c.label.as_deref().unwrap())
        .collect();
    assert_eq!(
        category_labels,
        ["人口", "社会保障", "法人单位", "电子证照"]
    );
    assert_eq!(
        counts(&results, Facet::Grade),
        [("general_2", 4), ("general_3", 1), ("important", 1)]
    );
    assert!(
        results.facets[&Facet::Grade]
            .iter()
            .all(|c| c.label.is_none())
    );
    assert_eq!(
        counts(&results, Facet::DataForm),
        [
            ("spreadsheet", 4),
            ("database", 1),
            ("service_interface", 1)
        ]
    );
    assert_eq!(
        counts(&results, Facet::UpdateFrequency),
        [("monthly", 5), ("daily", 1)]
    );
    assert_eq!(
        counts(&results, Facet::OpenType),
        [("unconditional", 4), ("not_open", 2)]
    );
}

// H8: facets count the documents matching the text.
#[test]
fn facets_follow_the_text() {
    let index = index_of(city_catalog());
    let results = search(&index, SearchQuery::text("企业"));
    assert_eq!(counts(&results, Facet::Agency), [("org-samr", 2)]);
    assert_eq!(
        counts(&results, Facet::ShareType),
        [("conditional", 1), ("unconditional", 1)]
    );
}

// H8: AND across facets, OR within one facet.
#[test]
fn filters_combine_and_across_facets_or_within_one() {
    let index = index_of(city_catalog());
    let or_within = SearchQuery::default()
        .filter(Facet::ShareType, "conditional")
        .filter(Facet::ShareType, "not_shared");
    assert_eq!(
        codes(&search(&index, or_within.clone())),
        ["103-00001", "201-00002", "102-00001"]
    );
    let and_across = or_within.filter(Facet::Category, "T03");
    assert_eq!(
        codes(&search(&index, and_across.clone())),
        ["103-00001", "102-00001"]
    );
    let with_text = and_across.clone();
    let with_text = SearchQuery {
        q: Some("社保".into()),
        ..with_text
    };
    assert_eq!(codes(&search(&index, with_text)), ["102-00001"]);
    let nothing = and_across.filter(Facet::Agency, "org-police");
    let results = search(&index, nothing);
    assert_eq!(results.total, 0);
    assert!(results.hits.is_empty());
    // Unknown values simply match nothing.
    let results = search(
        &index,
        SearchQuery::default().filter(Facet::Grade, "secret"),
    );
    assert_eq!(results.total, 0);
}

// H8: a facet's counts ignore its own filter (so the other choices stay visible) but apply
// the other facets' filters; the selected value is listed even when its count is 0.
#[test]
fn facet_counts_are_disjunctive() {
    let index = index_of(city_catalog());
    let query = SearchQuery::default()
        .filter(Facet::ShareType, "conditional")
        .filter(Facet::Agency, "org-samr");
    let results = search(&index, query);
    assert_eq!(codes(&results), ["201-00002"]);
    assert_eq!(results.total, 1);
    // Share type: counted over org-samr's entries, whatever their share type.
    assert_eq!(
        counts(&results, Facet::ShareType),
        [("conditional", 1), ("unconditional", 1)]
    );
    // Agency: counted over conditional entries, whatever their agency.
    assert_eq!(
        counts(&results, Facet::Agency),
        [("org-hrss", 1), ("org-samr", 1)]
    );
    // Other facets: counted over the result itself.
    assert_eq!(counts(&results, Facet::Category), [("B04", 1)]);

    let results = search(
        &index,
        SearchQuery::text("企业").filter(Facet::Grade, "core"),
    );
    assert_eq!(results.total, 0);
    assert_eq!(
        counts(&results, Facet::Grade),
        [("general_2", 2), ("core", 0)]
    );
    assert!(counts(&results, Facet::Agency).is_empty());
}

fn numbered(n: usize) -> Vec<EntryDoc> {
    (0..n)
        .map(|i| {
            let mut doc = entry(&format!("301-{i:05}"), "学籍信息");
            doc.published_at = 1_000 + i as i64;
            doc
        })
        .collect()
}

// Every list paginates (DESIGN conventions).
#[test]
fn results_are_paginated() {
    let index = index_of(numbered(25));
    let mut seen = Vec::new();
    for (page, len) in [(1, 10), (2, 10), (3, 5), (4, 0)] {
        let results = search(&index, SearchQuery::text("学籍").page(page, 10));
        assert_eq!(results.total, 25);
        assert_eq!(results.hits.len(), len, "page {page}");
        seen.extend(results.hits.into_iter().map(|h| h.code));
    }
    let all = search(&index, SearchQuery::text("学籍").page(1, 25));
    let all: Vec<_> = all.hits.into_iter().map(|h| h.code).collect();
    assert_eq!(seen, all);
    // Equal scores: newest first.
    assert_eq!(all[0], "301-00024");
    let newest = search(&index, SearchQuery::default().page(3, 10));
    assert_eq!(
        codes(&newest),
        [
            "301-00004",
            "301-00003",
            "301-00002",
            "301-00001",
            "301-00000"
        ]
    );
}

#[test]
fn invalid_pages_are_refused() {
    let index = index_of(numbered(3));
    for query in [
        SearchQuery::default().page(0, 10),
        SearchQuery::default().page(1, 0),
        SearchQuery::default().page(1, MAX_PER_PAGE + 1),
        SearchQuery::default().page(101, 100),
        SearchQuery::default().page(usize::MAX, 100),
    ] {
        assert!(
            matches!(index.search(&query), Err(SearchError::InvalidQuery(_))),
            "{query:?}"
        );
    }
    assert!(index.search(&SearchQuery::default().page(100, 100)).is_ok());
}

// H8: a new revision replaces the published one in the index.
#[test]
fn upsert_replaces_the_entry_with_the_same_code() {
    let index = CatalogIndex::in_memory().unwrap();
    index
        .upsert(&entry("101-00001", "户籍人口基本信息"))
        .unwrap();
    assert_eq!(
        codes(&search(&index, SearchQuery::text("户籍"))),
        ["101-00001"]
    );
    index.upsert(&entry("101-00001", "常住人口信息")).unwrap();
    assert_eq!(index.num_docs(), 1);
    assert!(search(&index, SearchQuery::text("户籍")).hits.is_empty());
    assert_eq!(
        codes(&search(&index, SearchQuery::text("常住"))),
        ["101-00001"]
    );
}

#[test]
fn remove_removes_and_ignores_unknown_codes() {
    let index = index_of(city_catalog());
    index.remove("101-00001").unwrap();
    index.remove("999-99999").unwrap();
    assert_eq!(index.num_docs(), 5);
    assert_eq!(
        codes(&search(&index, SearchQuery::text("户籍"))),
        ["101-00002"]
    );
}

// `gongshu search rebuild`: the index is derived from the database.
#[test]
fn rebuild_replaces_everything_and_keeps_the_last_of_duplicate_codes() {
    let index = index_of(city_catalog());
    let count = index
        .rebuild([
            entry("1", "户籍人口"),
            entry("2", "学籍信息"),
            entry("1", "婚姻登记信息"),
        ])
        .unwrap();
    assert_eq!(count, 2);
    assert_eq!(index.num_docs(), 2);
    assert_eq!(search(&index, SearchQuery::default()).total, 2);
    assert!(search(&index, SearchQuery::text("户籍")).hits.is_empty());
    assert_eq!(codes(&search(&index, SearchQuery::text("婚姻"))), ["1"]);
    assert!(search(&index, SearchQuery::text("企业")).hits.is_empty());

    assert_eq!(index.rebuild([]).unwrap(), 0);
    assert_eq!(index.num_docs(), 0);
}

#[test]
fn a_failed_rebuild_changes_nothing() {
    let index = index_of(city_catalog());
    let result = index.rebuild([entry("1", "学籍"), entry("  ", "无编码")]);
    assert!(matches!(result, Err(SearchError::InvalidDocument(_))));
    assert_eq!(index.num_docs(), 6);
    // The writer still works after the rollback.
    index.upsert(&entry("1", "学籍")).unwrap();
    assert_eq!(index.num_docs(), 7);
    assert!(index.upsert(&entry("", "无编码")).is_err());
}

// User input is plain text: query syntax and punctuation never cause an error.
#[test]
fn punctuation_only_and_syntax_heavy_queries_do_not_error() {
    let index = index_of(city_catalog());
    for q in [
        "\"",
        ":",
        "(",
        ")",
        "\"户籍",
        "name:户籍",
        "户籍)",
        "(户籍 OR 企业",
        "户籍 AND NOT 企业",
        "+户籍 -企业",
        "*",
        "?",
        "~",
        "^2",
        "户籍^10",
        "[a TO b]",
        "{}",
        "\\",
        "/",
        "、，。！？",
        "!!!",
        "   ",
        "",
        "\u{0}",
        "🙂",
        "户籍~2",
        "'; DROP TABLE entries; --",
        "a\"b:c(d)e",
    ] {
        let results = index
            .search(&SearchQuery::text(q))
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
        assert!(results.total <= 6, "{q:?}");
    }
    // The words inside still count.
    let results = search(&index, SearchQuery::text("name:户籍)"));
    assert!(codes(&results).contains(&"101-00001"));
    // Punctuation alone matches nothing; a blank query is no query.
    assert_eq!(search(&index, SearchQuery::text("？！")).total, 0);
    assert_eq!(search(&index, SearchQuery::text("   ")).total, 6);
    let long = "户籍".repeat(5_000);
    assert!(index.search(&SearchQuery::text(long)).is_ok());
}

#[test]
fn an_empty_index_answers_with_nothing() {
    let index = CatalogIndex::in_memory().unwrap();
    for query in [
        SearchQuery::default(),
        SearchQuery::text("户籍"),
        SearchQuery::text("户籍 企业").filter(Facet::Grade, "core"),
    ] {
        let results = search(&index, query);
        assert_eq!(results.total, 0);
        assert!(results.hits.is_empty());
        assert_eq!(results.facets.len(), Facet::ALL.len());
    }
    index.remove("101-00001").unwrap();
    assert_eq!(index.num_docs(), 0);
}

#[test]
fn an_on_disk_index_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    {
        let index = CatalogIndex::open(&path).unwrap();
        index.rebuild(city_catalog()).unwrap();
    }
    let index = CatalogIndex::open(&path).unwrap();
    assert_eq!(index.num_docs(), 6);
    assert_eq!(
        codes(&search(&index, SearchQuery::text("户籍"))),
        ["101-00001", "101-00002"]
    );
}

#[test]
fn a_directory_open_for_writing_cannot_be_opened_twice() {
    let dir = tempfile::tempdir().unwrap();
    let _first = CatalogIndex::open(dir.path()).unwrap();
    assert!(CatalogIndex::open(dir.path()).is_err());
}

#[test]
fn searches_and_writes_run_from_many_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<CatalogIndex>();

    let index = Arc::new(index_of(city_catalog()));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let index = Arc::clone(&index);
            std::thread::spawn(move || {
                for i in 0..10 {
                    index
                        .upsert(&entry(&format!("9{t}-{i}"), "学籍信息"))
                        .unwrap();
                    let results = index.search(&SearchQuery::text("户籍")).unwrap();
                    assert_eq!(results.total, 2);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(index.num_docs(), 46);
    assert_eq!(search(&index, SearchQuery::text("学籍")).total, 40);
}

#[test]
fn facet_names_round_trip() {
    for facet in Facet::ALL {
        assert_eq!(facet.as_str().parse::<Facet>().unwrap(), facet);
    }
    assert!("provider".parse::<Facet>().is_err());
}
