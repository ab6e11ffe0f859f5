//! Quality tallies through the public API (H11, B17): the rows of a real CSV with dropped bad
//! rows, the owner's rules and a declared key, counted in one pass.

use gongshu_domain::quality::{QualityRule, Scores};
use gongshu_lake::{IngestOptions, ItemRule, SourcePosition};

use crate::support::*;

fn rule(item: &str, rule: QualityRule) -> ItemRule {
    ItemRule {
        item: item.into(),
        rule,
    }
}

// H11, B17: with bad rows dropped, checksum failures count as invalid cells; the owner's
// enum, range and pattern rules count violations on valid cells without refusing them; the
// declared key finds the repeated person; the worst row is named by its line.
#[test]
fn h11_b17_ingest_counts_quality_while_streaming() {
    let a = citizen_id("110105", "19800101", 1);
    let b = citizen_id("110105", "19900202", 2);
    let mut bad = citizen_id("110105", "19850303", 3);
    bad.replace_range(17.., if bad.ends_with('0') { "1" } else { "0" });
    let csv = format!(
        "公民身份号码,姓名,家庭人口,月收入\n\
         {a},张三,3,5000\n\
         {b},李四,30,-1\n\
         {bad},王五,2,100\n\
         {a},张三丰,,99999\n"
    );
    let opts = IngestOptions {
        drop_bad_rows: true,
        quality_rules: vec![
            rule("sfzh", QualityRule::Unique),
            rule(
                "jtrk",
                QualityRule::Range {
                    min: Some("1".into()),
                    max: Some("20".into()),
                },
            ),
            rule("jtrk", QualityRule::Required),
            rule(
                "ysr",
                QualityRule::Range {
                    min: Some("0".into()),
                    max: None,
                },
            ),
            rule(
                "xm",
                QualityRule::Pattern {
                    regex: r"\p{Han}{2,3}".into(),
                },
            ),
            rule(
                "xm",
                QualityRule::Enum {
                    values: vec!["张三".into(), "李四".into(), "王五".into()],
                },
            ),
        ],
        ..options()
    };
    let run = run_with(csv.as_bytes(), None, &people(), &opts).unwrap();
    let q = &run.report.quality;
    assert_eq!((run.report.rows_written, run.report.rows_rejected), (3, 1));
    assert_eq!(q.rows, 4, "dropped rows were supplied and are counted");
    let item = |code: &str| q.items.iter().find(|i| i.code == code).unwrap();
    assert_eq!((item("sfzh").filled, item("sfzh").invalid), (4, 1));
    assert_eq!((item("jtrk").filled, item("jtrk").out_of_range), (3, 1));
    assert_eq!(item("ysr").out_of_range, 1);
    assert_eq!(
        (item("xm").not_in_enum, item("xm").pattern_mismatch),
        (1, 0)
    );
    assert_eq!(q.key, ["sfzh"]);
    assert_eq!((q.key_rows, q.duplicate_rows), (3, 1));
    let worst = &q.worst_rows[0];
    assert_eq!((worst.row, worst.source), (4, SourcePosition::Line(5)));
    let codes: Vec<&str> = worst.reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["not_in_enum", "missing_required", "duplicate_key"]);

    let tally = q.tally();
    // The required items: sfzh and xm (required in the spec) and jtrk (by rule).
    assert_eq!((tally.expected_cells, tally.filled_cells), (12, 11));
    let scores = Scores::of(&tally, 100.0);
    assert_eq!(scores.completeness, 91.6);
    assert_eq!(scores.uniqueness, 66.6);
}
