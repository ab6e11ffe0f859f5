//! An action's parameters, as CKAN takes them: the query string of a GET, or the JSON object
//! (or form) of a POST. Query-string values are text, and lists or objects in them are JSON
//! text (`facet.field=["organization"]`, `filters={"qx":"新城区"}`); the readers below accept
//! both spellings and refuse anything else on the parameter's name.

use serde_json::{Map, Value};

use super::reply::CkanError;

/// The longest text one parameter may hold.
const MAX_TEXT: usize = 4_096;

#[derive(Debug, Default)]
pub(crate) struct Params(Map<String, Value>);

impl Params {
    /// `a=1&b=x`: each value is text (the last one wins when a name repeats).
    pub(crate) fn from_pairs(text: &str) -> Self {
        Self(
            url::form_urlencoded::parse(text.as_bytes())
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect(),
        )
    }

    /// A JSON object; an empty body is no parameters.
    pub(crate) fn from_json(body: &[u8]) -> Result<Self, CkanError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            _ => Err(CkanError::invalid(
                "body",
                "请求内容应为JSON对象",
                "the request body must be a JSON object",
            )),
        }
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    fn bad(key: &str, zh: &str, en: &str) -> CkanError {
        CkanError::invalid(key, format!("参数{key}{zh}"), format!("{key} {en}"))
    }

    /// Text (a number is read as its text); bounded in length.
    pub(crate) fn text(&self, key: &str) -> Result<Option<String>, CkanError> {
        let text = match self.get(key) {
            None => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => return Err(Self::bad(key, "应为文本", "must be text")),
        };
        if text.chars().count() > MAX_TEXT {
            return Err(Self::bad(
                key,
                &format!("不能超过{MAX_TEXT}个字符"),
                &format!("may hold at most {MAX_TEXT} characters"),
            ));
        }
        Ok(Some(text))
    }

    /// A whole number from 0 to `max`; `default` when absent.
    pub(crate) fn count(&self, key: &str, default: usize, max: usize) -> Result<usize, CkanError> {
        let bad = || {
            Self::bad(
                key,
                &format!("应为0到{max}之间的整数"),
                &format!("must be a whole number from 0 to {max}"),
            )
        };
        let n = match self.get(key) {
            None => return Ok(default),
            Some(Value::Number(n)) => n.as_u64().ok_or_else(bad)?,
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(default),
            Some(Value::String(s)) => s.trim().parse::<u64>().map_err(|_| bad())?,
            Some(_) => return Err(bad()),
        };
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(bad)
    }

    /// `true`/`false` (also as text, `1`/`0`, `yes`/`no`).
    pub(crate) fn flag(&self, key: &str) -> Result<Option<bool>, CkanError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(Some(true)),
                "false" | "0" | "no" | "off" | "" => Ok(Some(false)),
                _ => Err(Self::bad(
                    key,
                    "应为 true 或 false",
                    "must be true or false",
                )),
            },
            Some(Value::Number(n)) => Ok(Some(n.as_u64() != Some(0))),
            Some(_) => Err(Self::bad(
                key,
                "应为 true 或 false",
                "must be true or false",
            )),
        }
    }

    /// A list: a JSON array, JSON text of one, or comma-separated text; at most `max` items.
    pub(crate) fn list(&self, key: &str, max: usize) -> Result<Option<Vec<String>>, CkanError> {
        let items: Vec<Value> = match self.get(key) {
            None => return Ok(None),
            Some(Value::Array(items)) => items.clone(),
            Some(Value::String(s)) if s.trim_start().starts_with('[') => {
                match serde_json::from_str(s) {
                    Ok(Value::Array(items)) => items,
                    _ => {
                        return Err(Self::bad(
                            key,
                            "不是有效的JSON列表",
                            "is not a valid JSON list",
                        ));
                    }
                }
            }
            Some(Value::String(s)) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
            Some(_) => return Err(Self::bad(key, "应为列表", "must be a list")),
        };
        if items.len() > max {
            return Err(Self::bad(
                key,
                &format!("最多{max}项"),
                &format!("may list at most {max} items"),
            ));
        }
        items
            .into_iter()
            .map(|v| match v {
                Value::String(s) if s.chars().count() <= MAX_TEXT => Ok(s),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(Self::bad(key, "的每一项应为文本", "items must be text")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A JSON object, or JSON text of one.
    pub(crate) fn object(&self, key: &str) -> Result<Option<Map<String, Value>>, CkanError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map.clone())),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) if s.len() <= MAX_TEXT => match serde_json::from_str(s) {
                Ok(Value::Object(map)) => Ok(Some(map)),
                _ => Err(Self::bad(key, "应为JSON对象", "must be a JSON object")),
            },
            Some(_) => Err(Self::bad(key, "应为JSON对象", "must be a JSON object")),
        }
    }

    /// The raw value, for parameters that take text or an object (`q` of datastore_search).
    pub(crate) fn value(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }

    /// The parameters as a query string, for the audit record of a data read.
    pub(crate) fn to_query_text(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            match v {
                Value::String(s) => out.append_pair(k, s),
                other => out.append_pair(k, &other.to_string()),
            };
        }
        let text = out.finish();
        text.chars().take(MAX_TEXT).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_come_as_json_arrays_json_text_or_commas() {
        let p = Params::from_pairs("a=%5B%22x%22%2C%22y%22%5D&b=x,%20y&n=12&f=true");
        assert_eq!(p.list("a", 5).unwrap().unwrap(), ["x", "y"]);
        assert_eq!(p.list("b", 5).unwrap().unwrap(), ["x", "y"]);
        assert!(p.list("b", 1).is_err());
        assert_eq!(p.count("n", 0, 100).unwrap(), 12);
        assert!(p.count("n", 0, 10).is_err());
        assert_eq!(p.flag("f").unwrap(), Some(true));
        let j = Params::from_json(br#"{"filters":{"qx":"a"},"limit":"5"}"#).unwrap();
        assert_eq!(j.object("filters").unwrap().unwrap()["qx"], "a");
        assert_eq!(j.count("limit", 100, 1000).unwrap(), 5);
        assert!(Params::from_json(b"[1]").is_err());
    }
}
