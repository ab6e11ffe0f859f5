//! Issue 11 item 8: the OpenAPI document says what the API answers, so clients and fuzzers
//! (schemathesis in CI) can rely on it — query parameters in the query, page sizes with their
//! bounds (and refused beyond them), every error as problem+json, nullable fields nullable.

use serde_json::Value;

use crate::support::TestApp;

/// The enumerated values of `schema`, following references and nullable unions.
fn enum_values(doc: &Value, schema: &Value) -> Vec<String> {
    if let Some(values) = schema["enum"].as_array() {
        return values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return enum_values(doc, &doc["components"]["schemas"][name]);
    }
    ["oneOf", "anyOf", "allOf"]
        .iter()
        .filter_map(|k| schema[*k].as_array())
        .flatten()
        .flat_map(|s| enum_values(doc, s))
        .collect()
}

fn operation<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is documented");
    op
}

pub async fn the_openapi_document_matches_what_the_api_answers(t: TestApp) {
    let doc = t.anonymous().get("/api/openapi.json").await.json;
    // Query parameters are documented in the query, and optional ones are not required.
    let list = operation(&doc, "/api/v1/share-requests", "get");
    for p in list["parameters"].as_array().unwrap() {
        assert_eq!(p["in"], "query", "{p}");
        assert_ne!(p["required"], true, "{p}");
    }
    let per_page = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "per_page")
        .expect("per_page");
    assert_eq!(per_page["schema"]["maximum"], 200, "{per_page}");
    // Beyond the bound is refused, not clamped.
    t.login("mzj-staff")
        .await
        .get("/api/v1/share-requests?per_page=201")
        .await
        .expect_field_error("per_page", "out_of_range");
    // Every operation documents its errors as problem+json.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses["default"]["content"]["application/problem+json"].is_object(),
                "{method} {path}: no problem+json default"
            );
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"].get("application/json").is_none(),
                        "{method} {path} {status}: errors are problem+json"
                    );
                }
            }
        }
    }
    // A request's decision is null until it is decided.
    let decision = &doc["components"]["schemas"]["RequestView"]["properties"]["decision"];
    assert!(
        decision["type"]
            .as_array()
            .is_some_and(|t| t.contains(&Value::from("null"))),
        "{decision}"
    );
    // The share mode of a data read is a parameter with its two values (H20).
    for path in [
        "/api/v1/entries/{code}/data",
        "/api/v1/entries/{code}/data/aggregate",
    ] {
        let mode = operation(&doc, path, "get")["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "mode")
            .unwrap_or_else(|| panic!("{path}: mode is documented"));
        assert_eq!(mode["in"], "query", "{mode}");
        assert_ne!(mode["required"], true, "{mode}");
        assert_eq!(
            enum_values(&doc, &mode["schema"]),
            ["api_query", "bulk_download"],
            "{path}: {mode}"
        );
    }
    let sql_mode = &doc["components"]["schemas"]["SqlInput"]["properties"]["mode"];
    assert_eq!(
        enum_values(&doc, sql_mode),
        ["api_query", "bulk_download"],
        "{sql_mode}"
    );
    // A bad path parameter is a problem too, not plain text.
    t.login("gaj-admin")
        .await
        .post(
            "/api/v1/entries/101-00001/versions/x/confirm",
            serde_json::json!({}),
        )
        .await
        .expect_problem(400, "bad_path");
}
