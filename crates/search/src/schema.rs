//! The index layout: which field holds what, and how an [`EntryDoc`] becomes a tantivy document.
//!
//! Text fields are segmented by [`crate::tokenizer`] and keep term frequencies (for BM25) but no
//! positions: queries are bags of words, never phrases. Facets, the code and `published_at` are
//! fast (columnar) fields, which the collector reads per matching document; nothing is stored
//! in the document store, a hit is resolved to its code through the `code` column.
//!
//! Changing this layout makes existing on-disk indexes unreadable ([`SearchError::SchemaMismatch`]):
//! delete the directory and rebuild from the database.
//!
//! [`SearchError::SchemaMismatch`]: crate::SearchError::SchemaMismatch

use tantivy::TantivyDocument;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::model::{EntryDoc, Facet};
use crate::tokenizer::TOKENIZER_NAME;

/// Field name of the agency label column.
pub(crate) const AGENCY_LABEL: &str = "agency_name";
/// Field name of the category label column.
pub(crate) const CATEGORY_LABEL: &str = "category_name";
/// Field name of the code column.
pub(crate) const CODE: &str = "code";
/// Field name of the publication time column.
pub(crate) const PUBLISHED_AT: &str = "published_at";

/// Handles of the fields of the catalog schema.
#[derive(Clone)]
pub(crate) struct Fields {
    pub(crate) code: Field,
    pub(crate) name: Field,
    pub(crate) summary: Field,
    pub(crate) items: Field,
    /// Agency and category names, searchable with a low weight.
    pub(crate) context: Field,
    /// In [`Facet::ALL`] order.
    pub(crate) facets: [Field; Facet::ALL.len()],
    pub(crate) agency_label: Field,
    pub(crate) category_label: Field,
    pub(crate) published_at: Field,
}

/// Builds the schema and returns it with its field handles.
pub(crate) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let column = TextOptions::default().set_fast("raw");
    let code = builder.add_text_field(CODE, STRING.set_fast("raw"));
    let name = builder.add_text_field("name", text.clone());
    let summary = builder.add_text_field("summary", text.clone());
    let items = builder.add_text_field("items", text.clone());
    let context = builder.add_text_field("context", text);
    let facets = Facet::ALL.map(|facet| builder.add_text_field(facet.as_str(), column.clone()));
    let agency_label = builder.add_text_field(AGENCY_LABEL, column.clone());
    let category_label = builder.add_text_field(CATEGORY_LABEL, column);
    let published_at = builder.add_i64_field(PUBLISHED_AT, NumericOptions::default().set_fast());
    let fields = Fields {
        code,
        name,
        summary,
        items,
        context,
        facets,
        agency_label,
        category_label,
        published_at,
    };
    (builder.build(), fields)
}

impl Fields {
    /// The tantivy document for one entry.
    pub(crate) fn document(&self, entry: &EntryDoc) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_text(self.code, &entry.code);
        doc.add_text(self.name, &entry.name);
        doc.add_text(self.summary, &entry.summary);
        for item in &entry.item_names {
            doc.add_text(self.items, item);
        }
        doc.add_text(self.context, &entry.provider_name);
        doc.add_text(self.context, &entry.category_name);
        for facet in Facet::ALL {
            doc.add_text(self.facets[facet.index()], entry.facet_value(facet));
        }
        doc.add_text(self.agency_label, &entry.provider_name);
        doc.add_text(self.category_label, &entry.category_name);
        doc.add_i64(self.published_at, entry.published_at);
        doc
    }
}
