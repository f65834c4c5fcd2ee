//! Generates the translation catalogue from the Fluent files in `locales/`.
//!
//! Translators edit `locales/en.ftl` and `locales/nl.ftl`; this script reads both with the
//! `fluent-syntax` parser and writes `$OUT_DIR/catalogue.rs`, which `src/i18n.rs` includes: the
//! `Key` enum (one variant per message, the id in UpperCamelCase: `err-invalid-date` becomes
//! `Key::ErrInvalidDate`), `Key::ALL` and `Key::text`, with each `{ $name }` written `{name}`
//! for `Key::format`. Nothing of Fluent reaches the compiled crate or the browser bundle.
//!
//! The build fails, naming the file, line and message id, when a message is missing from one
//! language, is defined twice, has an empty text or uses other variables than in the other
//! language, when a file has a Fluent syntax error, and when a message uses a Fluent feature
//! this generator does not support (attributes, terms, message references, functions,
//! selectors, number literals): those would need the Fluent runtime, which the portal does not
//! ship. Plural forms are separate messages, chosen in code with `i18n::plural`.

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Message, Pattern, PatternElement};
use fluent_syntax::parser;
use fluent_syntax::unicode::unescape_unicode_to_string;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The languages: the `i18n::Locale` variant and the file in `locales/`. The first is the
/// reference: its order of messages is the order of `Key`, and its comments become the
/// variants' documentation.
const LOCALES: [(&str, &str); 2] = [("En", "en.ftl"), ("Nl", "nl.ftl")];

/// One message of one file.
struct Text {
    /// The text, each variable written `{name}`.
    value: String,
    variables: BTreeSet<String>,
    line: usize,
}

/// One parsed file.
struct Catalogue {
    /// The path as shown in error messages, e.g. `app/locales/nl.ftl`.
    shown: String,
    /// Message ids in file order, with the comment attached to each.
    order: Vec<(String, Vec<String>)>,
    texts: BTreeMap<String, Text>,
}

fn main() -> ExitCode {
    println!("cargo::rerun-if-changed=build.rs");
    for (_, file) in LOCALES {
        println!("cargo::rerun-if-changed=locales/{file}");
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(errors) => {
            for error in &errors {
                println!("cargo::error={}", error.replace('\n', " "));
            }
            eprintln!(
                "{} error(s) in the translation files; see \"Translations\" in README.md",
                errors.len()
            );
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Vec<String>> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    let mut catalogues = Vec::new();
    let mut errors = Vec::new();
    for (_, file) in LOCALES {
        match read_catalogue(&manifest_dir, file) {
            Ok(catalogue) => catalogues.push(catalogue),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    compare(&catalogues)?;
    let code = generate(&catalogues).map_err(|e| vec![format!("writing the catalogue: {e}")])?;
    let target = out_dir.join("catalogue.rs");
    std::fs::write(&target, code)
        .map_err(|e| vec![format!("cannot write {}: {e}", target.display())])
}

fn env(name: &str) -> Result<String, Vec<String>> {
    std::env::var(name).map_err(|e| vec![format!("{name} is not set: {e}")])
}

/// Reads and checks one file on its own: syntax, supported features, ids, empty texts.
fn read_catalogue(manifest_dir: &Path, file: &str) -> Result<Catalogue, Vec<String>> {
    let path = manifest_dir.join("locales").join(file);
    let crate_dir = manifest_dir
        .file_name()
        .map_or_else(String::new, |d| format!("{}/", d.to_string_lossy()));
    let shown = format!("{crate_dir}locales/{file}");
    let source = std::fs::read_to_string(&path)
        .map_err(|e| vec![format!("{shown}: cannot read {}: {e}", path.display())])?
        .replace("\r\n", "\n");
    let mut errors = Vec::new();
    let resource = match parser::parse(source.as_str()) {
        Ok(resource) => resource,
        Err((resource, syntax_errors)) => {
            for e in syntax_errors {
                let (line, column) = line_column(&source, e.pos.start);
                let within = e
                    .slice
                    .and_then(|s| source.get(s.start..))
                    .and_then(entry_id)
                    .map_or_else(String::new, |id| format!(" in message `{id}`"));
                errors.push(format!(
                    "{shown}:{line}:{column}: Fluent syntax error{within}: {}",
                    e.kind
                ));
            }
            resource
        }
    };
    let mut catalogue = Catalogue {
        shown: shown.clone(),
        order: Vec::new(),
        texts: BTreeMap::new(),
    };
    for entry in &resource.body {
        match entry {
            Entry::Message(message) => {
                let line = line_of(&source, message.id.name);
                match read_message(message) {
                    Ok(text) => {
                        let id = message.id.name.to_owned();
                        if let Some(first) = catalogue.texts.get(&id) {
                            errors.push(format!(
                                "{shown}:{line}: message `{id}` is defined twice (first on line {})",
                                first.line
                            ));
                            continue;
                        }
                        let comment = message
                            .comment
                            .as_ref()
                            .map(|c| c.content.iter().map(|l| (*l).to_owned()).collect())
                            .unwrap_or_default();
                        catalogue.order.push((id.clone(), comment));
                        catalogue.texts.insert(id, Text { line, ..text });
                    }
                    Err(reason) => errors.push(format!(
                        "{shown}:{line}: message `{}` {reason}",
                        message.id.name
                    )),
                }
            }
            Entry::Term(term) => errors.push(format!(
                "{shown}:{}: term `-{}`: Fluent terms are not supported by the generator \
                 (app/build.rs); write the text into each message that needs it",
                line_of(&source, term.id.name),
                term.id.name
            )),
            // The parser has already reported what made this junk (syntax errors above).
            Entry::Junk { .. } => {}
            Entry::Comment(_) | Entry::GroupComment(_) | Entry::ResourceComment(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(catalogue)
    } else {
        Err(errors)
    }
}

/// The text of one message, or what is wrong with it (said after "message `id`").
fn read_message(message: &Message<&str>) -> Result<Text, String> {
    variant_name(message.id.name)?;
    if let Some(attribute) = message.attributes.first() {
        return Err(format!(
            "has the attribute `.{}`: Fluent attributes are not supported by the generator \
             (app/build.rs); make it a message of its own",
            attribute.id.name
        ));
    }
    let Some(pattern) = &message.value else {
        return Err("has no text".to_owned());
    };
    let text = pattern_text(pattern)?;
    if text.value.trim().is_empty() {
        return Err("has an empty text".to_owned());
    }
    Ok(text)
}

/// A pattern as `Key::text` returns it: text, and `{name}` for each `{ $name }`.
fn pattern_text(pattern: &Pattern<&str>) -> Result<Text, String> {
    let unsupported = |what: &str, hint: &str| {
        Err(format!(
            "uses {what}, a Fluent feature the generator (app/build.rs) does not support: it \
             supports text, {{ $variable }} and string literals such as {{ \" \" }} only{hint}"
        ))
    };
    let mut value = String::new();
    let mut variables = BTreeSet::new();
    for element in &pattern.elements {
        let expression = match element {
            PatternElement::TextElement { value: text } => {
                value.push_str(text);
                continue;
            }
            PatternElement::Placeable { expression } => expression,
        };
        let inline = match expression {
            Expression::Inline(inline) => inline,
            Expression::Select { .. } => {
                return unsupported(
                    "a selector ({ $n -> ... })",
                    "; write each plural form as a message of its own, chosen in code with \
                     i18n::plural()",
                )
            }
        };
        match inline {
            InlineExpression::VariableReference { id } => {
                value.push('{');
                value.push_str(id.name);
                value.push('}');
                variables.insert(id.name.to_owned());
            }
            InlineExpression::StringLiteral { value: literal } => {
                let literal = unescape_unicode_to_string(literal);
                if literal.contains(['{', '}']) {
                    return Err(format!(
                        "has a brace in the string literal \"{literal}\": braces mark \
                         placeholders in the generated text, so they cannot be written literally"
                    ));
                }
                value.push_str(&literal);
            }
            InlineExpression::NumberLiteral { value: number } => {
                return unsupported(
                    &format!("the number literal {{ {number} }}"),
                    "; write the number as text",
                )
            }
            InlineExpression::FunctionReference { id, .. } => {
                return unsupported(&format!("the function {}()", id.name), "")
            }
            InlineExpression::MessageReference { id, .. } => {
                return unsupported(&format!("a reference to the message `{}`", id.name), "")
            }
            InlineExpression::TermReference { id, .. } => {
                return unsupported(&format!("a reference to the term `-{}`", id.name), "")
            }
            InlineExpression::Placeable { .. } => return unsupported("a nested placeable", ""),
        }
    }
    Ok(Text {
        value,
        variables,
        line: 0,
    })
}

/// Checks the languages against each other: the same ids, the same variables.
fn compare(catalogues: &[Catalogue]) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    let Some((reference, others)) = catalogues.split_first() else {
        return Err(vec![
            "no languages are configured in app/build.rs".to_owned()
        ]);
    };
    for other in others {
        for (id, text) in &reference.texts {
            match other.texts.get(id) {
                None => errors.push(format!(
                    "{}: message `{id}` is missing (it is in {}:{})",
                    other.shown, reference.shown, text.line
                )),
                Some(translated) if translated.variables != text.variables => {
                    errors.push(format!(
                        "{}:{}: message `{id}` uses the variables {} but {}:{} uses {}",
                        other.shown,
                        translated.line,
                        variable_list(&translated.variables),
                        reference.shown,
                        text.line,
                        variable_list(&text.variables)
                    ));
                }
                Some(_) => {}
            }
        }
        for (id, text) in &other.texts {
            if !reference.texts.contains_key(id) {
                errors.push(format!(
                    "{}:{}: message `{id}` is not in {} (every message must be in every language)",
                    other.shown, text.line, reference.shown
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn variable_list(variables: &BTreeSet<String>) -> String {
    if variables.is_empty() {
        return "none".to_owned();
    }
    variables
        .iter()
        .map(|v| format!("{{ ${v} }}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The Rust code: what `i18n.rs` used to generate with its `catalogue!` macro.
fn generate(catalogues: &[Catalogue]) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    let files: Vec<&str> = catalogues.iter().map(|c| c.shown.as_str()).collect();
    writeln!(
        out,
        "// Generated by app/build.rs from {}. Edit those files, not this one.\n",
        files.join(" and ")
    )?;
    writeln!(
        out,
        "/// A translatable text. Variants are named after where the text appears."
    )?;
    writeln!(
        out,
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]"
    )?;
    writeln!(out, "pub enum Key {{")?;
    let reference = catalogues.first();
    let order = reference.map_or(&[][..], |c| c.order.as_slice());
    let mut names = Vec::new();
    for (id, comment) in order {
        let name = variant_name(id).map_err(|_| std::fmt::Error)?;
        for line in comment {
            writeln!(out, "    #[doc = {:?}]", format!(" {line}").trim_end())?;
        }
        writeln!(out, "    {name},")?;
        names.push((id, name));
    }
    writeln!(out, "}}\n")?;
    writeln!(out, "impl Key {{")?;
    writeln!(out, "    /// Every key, for completeness tests.")?;
    writeln!(out, "    pub const ALL: &'static [Key] = &[")?;
    for (_, name) in &names {
        writeln!(out, "        Key::{name},")?;
    }
    writeln!(out, "    ];\n")?;
    writeln!(out, "    /// The text in the given language.")?;
    writeln!(
        out,
        "    pub fn text(self, locale: Locale) -> &'static str {{"
    )?;
    writeln!(out, "        match (self, locale) {{")?;
    for (id, name) in &names {
        for ((locale, _), catalogue) in LOCALES.iter().zip(catalogues) {
            let text = catalogue.texts.get(*id).ok_or(std::fmt::Error)?;
            writeln!(
                out,
                "            (Key::{name}, Locale::{locale}) => {:?},",
                text.value
            )?;
        }
    }
    writeln!(out, "        }}\n    }}\n}}")?;
    Ok(out)
}

/// The `Key` variant of a message id: its UpperCamelCase, which must turn back into the id.
fn variant_name(id: &str) -> Result<String, String> {
    let kebab_case = id.split('-').all(|word| {
        word.starts_with(|c: char| c.is_ascii_lowercase())
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    if !kebab_case {
        return Err(
            "is not a kebab-case id: write lowercase words of letters and digits, each starting \
             with a letter, joined by single hyphens (e.g. `err-invalid-date`)"
                .to_owned(),
        );
    }
    let name: String = id
        .split('-')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect();
    let mut back = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                back.push('-');
            }
            back.push(c.to_ascii_lowercase());
        } else {
            back.push(c);
        }
    }
    if back != id {
        return Err(format!(
            "does not round-trip: it becomes Key::{name}, which reads back as `{back}`"
        ));
    }
    if name == "Self" {
        return Err("becomes Key::Self, which Rust does not allow".to_owned());
    }
    Ok(name)
}

/// The id of the entry a syntax error's slice starts at, if it starts like `some-id =`.
fn entry_id(rest: &str) -> Option<&str> {
    let (head, _) = rest.trim_start().split_once('=')?;
    let id = head.trim().trim_start_matches('-');
    (!id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then_some(id)
}

/// The line of `part`, a slice of `source` (the parser's AST borrows from the source).
fn line_of(source: &str, part: &str) -> usize {
    let offset = (part.as_ptr() as usize).saturating_sub(source.as_ptr() as usize);
    line_column(source, offset).0
}

/// 1-based line and column of a byte offset.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |l| l.chars().count() + 1);
    (line, column)
}
