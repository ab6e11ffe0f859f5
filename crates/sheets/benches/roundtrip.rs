//! Writes and reads a catalog of 500 entries × 10 items and prints the times.
//! `cargo bench -p gongshu-sheets` (release profile). The budget for the whole import,
//! app validation included, is 5 s; this crate's part should be a small fraction of it.

use std::time::{Duration, Instant};

use gongshu_sheets::{EntryRow, Guide, ItemRow, read_catalog, write_catalog};

const ENTRIES: usize = 500;
const ITEMS: usize = 10;
const RUNS: usize = 5;

fn catalog() -> Vec<EntryRow> {
    (0..ENTRIES)
        .map(|n| EntryRow {
            key: (n + 1).to_string(),
            code: format!("330100/101/{:06}", n + 1),
            name: format!("第{n}号户籍人口基本信息资源"),
            summary:
                "全市户籍人口的姓名、公民身份号码、出生日期、户籍地址等基本登记信息，按日更新。"
                    .into(),
            category_code: "101".into(),
            grade: "一般数据3级".into(),
            data_form: "数据库".into(),
            share_type: "有条件共享".into(),
            share_conditions: "仅限履行法定职责使用".into(),
            share_scope: "全市公共管理和服务机构".into(),
            share_modes: vec!["接口调用".into(), "库表交换".into()],
            open_type: "不予开放".into(),
            not_open_reason: "个人隐私".into(),
            legal_bases: vec![
                ("中华人民共和国居民身份证法".into(), "第十三条".into()),
                ("中华人民共和国个人信息保护法".into(), "第三十四条".into()),
            ],
            update_frequency: "每日".into(),
            source_dept: "市公安局".into(),
            collecting_dept: "市公安局".into(),
            approving_dept: "市公安局".into(),
            providing_dept: "市公安局".into(),
            related_codes: vec!["330100/102/000001".into()],
            items: (0..ITEMS)
                .map(|k| ItemRow {
                    code: format!("item_{k}"),
                    name: format!("信息项{k}"),
                    data_type: "字符型".into(),
                    description: "公民身份号码，18位".into(),
                    grade: "一般数据3级".into(),
                    personal: true,
                    sensitive_kind: if k == 0 {
                        "特定身份".into()
                    } else {
                        String::new()
                    },
                    masked: k == 0,
                    element_code: format!("E{k:03}"),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let entries = catalog();
    let mut write = Vec::new();
    let mut read = Vec::new();
    let mut size = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let bytes = write_catalog(&entries, &Guide::default()).expect("write");
        write.push(t.elapsed());
        size = bytes.len();

        let t = Instant::now();
        let back = read_catalog(&bytes).expect("read");
        read.push(t.elapsed());
        assert_eq!(back.len(), ENTRIES);
        assert_eq!(
            back.iter().map(|e| e.items.len()).sum::<usize>(),
            ENTRIES * ITEMS
        );
    }
    write.sort();
    read.sort();
    println!(
        "{ENTRIES} entries × {ITEMS} items, {size} bytes, {RUNS} runs (median / max):\n  write_catalog {:.1} ms / {:.1} ms\n  read_catalog  {:.1} ms / {:.1} ms",
        ms(write[RUNS / 2]),
        ms(write[RUNS - 1]),
        ms(read[RUNS / 2]),
        ms(read[RUNS - 1]),
    );
}
