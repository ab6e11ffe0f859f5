//! JSON: one array of objects, streamed element by element, or NDJSON, one object per line.
//! Keys name items as headers do. The first object plays the header's part: a required item
//! missing from it stops the file; later objects may leave out optional keys (null). Values keep
//! their exact JSON text (numbers are never parsed as floats), so `0.1` stays 0.1.

use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{Input, Start};
use crate::coerce::Cell;
use crate::columns::{ItemMatcher, check_present, refuse_if_nothing_matched};
use crate::error::IngestError;
use crate::pipeline::{Outcome, Pipeline, Row};
use crate::report::{SourcePosition, Warning};
use crate::schema::ItemSpec;

/// Distinct keys remembered (and unknown ones warned about).
const MAX_KEYS: usize = 1024;

/// One object's members in source order, values as raw JSON text.
type Object = Vec<(String, Box<RawValue>)>;

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Object;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(member) = map.next_entry::<String, Box<RawValue>>()? {
            members.push(member);
        }
        Ok(members)
    }
}

struct ObjectSeed;

impl<'de> DeserializeSeed<'de> for ObjectSeed {
    type Value = Object;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Object, D::Error> {
        d.deserialize_map(ObjectVisitor)
    }
}

/// Turns objects into rows: keys to items, raw values to cells.
struct Objects<'a, J: Write> {
    items: &'a [ItemSpec],
    matcher: ItemMatcher,
    /// The item each key seen so far names (`None`: unknown, already warned about).
    keys: HashMap<String, Option<usize>>,
    start: Option<Start<'a, J>>,
    pipeline: Option<Pipeline<'a, J>>,
    seen: Vec<bool>,
    /// Decoded string values of the current object, by member.
    strings: Vec<Option<String>>,
    cells_of: Vec<Option<usize>>,
}

struct JsonRow<'r> {
    cells: Vec<Cell<'r>>,
}

impl Row for JsonRow<'_> {
    fn cell(&self, item: usize) -> Cell<'_> {
        self.cells[item]
    }
}

impl<'a, J: Write> Objects<'a, J> {
    fn new(start: Start<'a, J>) -> Self {
        Self {
            items: start.items,
            matcher: ItemMatcher::new(start.items),
            keys: HashMap::new(),
            seen: vec![false; start.items.len()],
            start: Some(start),
            pipeline: None,
            strings: Vec::new(),
            cells_of: Vec::new(),
        }
    }

    fn push(&mut self, object: Object, at: SourcePosition) -> Result<(), IngestError> {
        // Resolve keys; new unknown keys are warned about once.
        self.cells_of.clear();
        let mut new_warnings = Vec::new();
        for (key, _) in &object {
            let item = match self.keys.get(key) {
                Some(item) => *item,
                // Past a bound, keys are matched but not remembered (nor warned about), so a
                // file with a new key in every object cannot grow memory without limit.
                None if self.keys.len() >= MAX_KEYS => self.matcher.find(key),
                None => {
                    let item = self.matcher.find(key);
                    if item.is_none() {
                        new_warnings.push(Warning::UnknownColumn {
                            column: key.clone(),
                        });
                    }
                    self.keys.insert(key.clone(), item);
                    item
                }
            };
            self.cells_of.push(item);
        }
        if self.pipeline.is_none() {
            let start = self
                .start
                .take()
                .expect("the first object starts the pipeline");
            let mut headers = vec![None; self.items.len()];
            for ((key, _), item) in object.iter().zip(&self.cells_of) {
                if let Some(i) = *item
                    && headers[i].is_none()
                {
                    headers[i] = Some(key.clone());
                }
            }
            let warnings = std::mem::take(&mut new_warnings);
            // Optional items may still appear in later objects: their absence is only warned
            // about at the end. Every item gets a column in the rejects file.
            let keys: Vec<&str> = object.iter().map(|(key, _)| key.as_str()).collect();
            refuse_if_nothing_matched(self.items, &headers, &keys)?;
            check_present(self.items, &headers, &mut Vec::new())?;
            for (i, header) in headers.iter_mut().enumerate() {
                header.get_or_insert_with(|| self.items[i].code.clone());
            }
            self.pipeline = Some(start.pipeline(headers, warnings));
        }
        let pipeline = self.pipeline.as_mut().expect("started above");
        pipeline.warnings.extend(new_warnings);

        // Decode string values (the only ones that need an owned copy), then borrow cells.
        self.strings.clear();
        for (_, raw) in &object {
            let text = raw.get();
            self.strings.push(if text.starts_with('"') {
                Some(
                    serde_json::from_str::<String>(text).map_err(|e| IngestError::Malformed {
                        format: "JSON",
                        at: at.to_string(),
                        message: e.to_string(),
                    })?,
                )
            } else {
                None
            });
        }
        let mut cells = vec![Cell::Blank; self.items.len()];
        for (((_, raw), item), string) in object.iter().zip(&self.cells_of).zip(&self.strings) {
            let Some(i) = *item else { continue };
            self.seen[i] = true;
            let text = raw.get();
            cells[i] = match (string, text.as_bytes().first()) {
                (Some(s), _) => Cell::Text(s),
                (None, Some(b'n')) => Cell::Blank,
                (None, Some(b't')) => Cell::Bool(true),
                (None, Some(b'f')) => Cell::Bool(false),
                // Numbers, and nested arrays or objects, keep their JSON text.
                _ => Cell::Text(text),
            };
        }
        pipeline.push(&JsonRow { cells }, at, None)
    }

    fn finish(mut self) -> Result<Outcome, IngestError> {
        // No object at all (`[]`, or no line): an empty file with the entry's schema.
        let mut pipeline = match (self.pipeline.take(), self.start.take()) {
            (Some(pipeline), _) => pipeline,
            (None, Some(start)) => {
                let headers = self.items.iter().map(|i| Some(i.code.clone())).collect();
                start.pipeline(headers, Vec::new())
            }
            (None, None) => return Err(IngestError::NoHeader),
        };
        for (item, seen) in self.items.iter().zip(&self.seen) {
            if !seen {
                pipeline.warnings.push(Warning::ItemAbsent {
                    item: item.code.clone(),
                    name: item.name.clone(),
                });
            }
        }
        pipeline.finish()
    }
}

/// Feeds each element of the top-level array to [`Objects`]. A pipeline error is kept aside
/// and the parse stopped with a placeholder error.
struct ArrayVisitor<'o, 'a, J: Write> {
    objects: &'o mut Objects<'a, J>,
    error: &'o mut Option<IngestError>,
}

impl<'de, J: Write> Visitor<'de> for ArrayVisitor<'_, '_, J> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0u64;
        while let Some(object) = seq.next_element_seed(ObjectSeed)? {
            index += 1;
            if let Err(e) = self.objects.push(object, SourcePosition::Element(index)) {
                *self.error = Some(e);
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

pub(crate) fn read_array<R: Read, J: Write>(
    input: Input<R>,
    start: Start<'_, J>,
) -> Result<Outcome, IngestError> {
    let bom = if input.prefix.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let reader = BufReader::with_capacity(256 * 1024, input.into_reader(bom));
    let mut objects = Objects::new(start);
    let mut error = None;
    let mut de = serde_json::Deserializer::from_reader(reader);
    let parsed = de
        .deserialize_seq(ArrayVisitor {
            objects: &mut objects,
            error: &mut error,
        })
        .and_then(|()| de.end());
    if let Some(e) = error {
        return Err(e);
    }
    parsed.map_err(json_error)?;
    objects.finish()
}

pub(crate) fn read_lines<R: Read, J: Write>(
    input: Input<R>,
    start: Start<'_, J>,
) -> Result<Outcome, IngestError> {
    let bom = if input.prefix.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut reader = BufReader::with_capacity(256 * 1024, input.into_reader(bom));
    let mut objects = Objects::new(start);
    let mut line = String::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidData && e.get_ref().is_none() {
                IngestError::Encoding {
                    encoding: "UTF-8",
                    at: format!("line {}", number + 1),
                }
            } else {
                IngestError::reading(e)
            }
        })?;
        if n == 0 {
            break;
        }
        number += 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut de = serde_json::Deserializer::from_str(&line);
        let object = ObjectSeed
            .deserialize(&mut de)
            .and_then(|o| de.end().map(|()| o))
            .map_err(|e| IngestError::Malformed {
                format: "NDJSON",
                at: format!("line {number}"),
                message: e.to_string(),
            })?;
        objects.push(object, SourcePosition::Line(number))?;
    }
    objects.finish()
}

fn json_error(e: serde_json::Error) -> IngestError {
    if e.is_io() {
        return IngestError::reading(e.into());
    }
    IngestError::Malformed {
        format: "JSON",
        at: format!("line {} column {}", e.line(), e.column()),
        message: e.to_string(),
    }
}
