//! Templates (minijinja, compiled into the binary) and the page-level error handling: a
//! console request that is not logged in goes to the login page; other errors render the
//! error page with the same Chinese message the API would give.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::Environment;
use serde::Serialize;

use crate::error::ApiError;

pub struct Templates {
    env: Environment<'static>,
}

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("error.html", include_str!("../../templates/error.html")),
];

impl Templates {
    pub fn new() -> Self {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source).expect("templates compile");
        }
        Self { env }
    }

    pub fn render<S: Serialize>(&self, name: &str, ctx: S) -> Response {
        match self.env.get_template(name).and_then(|t| t.render(ctx)) {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!(template = name, error = %e, "template failed");
                (StatusCode::INTERNAL_SERVER_ERROR, Html("<h1>页面渲染失败</h1>".to_string())).into_response()
            }
        }
    }
}

/// What a console page answers when a command fails.
pub struct PageError(pub ApiError);

impl From<gongshu_app::AppError> for PageError {
    fn from(e: gongshu_app::AppError) -> Self {
        PageError(e.into())
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if self.0.status == StatusCode::UNAUTHORIZED {
            return Redirect::to("/login").into_response();
        }
        let body = templates().render(
            "error.html",
            minijinja::context! { status => self.0.status.as_u16(), message => self.0.zh, code => self.0.code },
        );
        (self.0.status, body).into_response()
    }
}

/// The compiled templates, built once.
pub fn templates() -> &'static Templates {
    static TEMPLATES_ONCE: std::sync::LazyLock<Templates> = std::sync::LazyLock::new(Templates::new);
    &TEMPLATES_ONCE
}

pub fn not_found_page() -> Response {
    PageError(ApiError::new(StatusCode::NOT_FOUND, "not_found", "页面不存在", "page not found")).into_response()
}
