//! What a Users list asks the store for: a filter over the attributes the store can compare
//! in one indexed statement, with its values already in the form the columns hold (names
//! and usernames case-folded, login ids in lower case).

use crate::credentials::fold_key;
use crate::error::FieldError;
use crate::scim::filter::{AttrPath, CompValue, CompareOp, Filter};
use crate::scim::schema::CORE_USER;
use crate::Code;

/// An attribute a list filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    Id,
    /// The username when set, else the login id (case-insensitive).
    UserName,
    /// Case-exact, as RFC 7643 defines `externalId`.
    ExternalId,
    /// `name.formatted`, case-insensitive.
    Name,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserFilter {
    Text {
        field: UserField,
        op: TextOp,
        value: String,
    },
    Present(UserField),
    /// `active eq b`: a suspended login is `active: false`.
    Active(bool),
    All,
    And(Box<UserFilter>, Box<UserFilter>),
    Or(Box<UserFilter>, Box<UserFilter>),
    Not(Box<UserFilter>),
}

fn invalid(message: impl Into<String>) -> FieldError {
    FieldError::new("filter", Code::InvalidFilter, message)
}

enum Attr {
    Field(UserField),
    Active,
}

fn attr_of(path: &AttrPath) -> Result<Attr, FieldError> {
    if path.urn.as_deref().is_some_and(|u| !u.eq_ignore_ascii_case(CORE_USER)) {
        return Err(invalid(format!("`{path}`: lists filter on core User attributes only")));
    }
    Ok(match path.key().as_str() {
        "id" => Attr::Field(UserField::Id),
        "username" => Attr::Field(UserField::UserName),
        "externalid" => Attr::Field(UserField::ExternalId),
        "name.formatted" => Attr::Field(UserField::Name),
        "active" => Attr::Active,
        _ => {
            return Err(invalid(format!(
                "`{path}` cannot be filtered on; use userName, externalId, name.formatted, active or id"
            )))
        }
    })
}

/// A parsed filter as the store's query, or what in it the store cannot answer.
pub fn user_filter(f: &Filter) -> Result<UserFilter, FieldError> {
    Ok(match f {
        Filter::And(a, b) => UserFilter::And(Box::new(user_filter(a)?), Box::new(user_filter(b)?)),
        Filter::Or(a, b) => UserFilter::Or(Box::new(user_filter(a)?), Box::new(user_filter(b)?)),
        Filter::Not(x) => UserFilter::Not(Box::new(user_filter(x)?)),
        Filter::ValuePath { path, .. } => {
            return Err(invalid(format!("`{path}[…]`: value filters are not supported in lists")))
        }
        Filter::Present(path) => match attr_of(path)? {
            Attr::Active | Attr::Field(UserField::Id | UserField::UserName) => UserFilter::All,
            Attr::Field(f) => UserFilter::Present(f),
        },
        Filter::Compare { path, op, value } => match attr_of(path)? {
            Attr::Active => match (op, value) {
                (CompareOp::Eq, CompValue::Bool(b)) => UserFilter::Active(*b),
                (CompareOp::Ne, CompValue::Bool(b)) => UserFilter::Active(!b),
                _ => return Err(invalid("active compares with eq or ne and true or false")),
            },
            Attr::Field(field) => {
                let text_op = match op {
                    CompareOp::Eq => TextOp::Eq,
                    CompareOp::Ne => TextOp::Ne,
                    CompareOp::Co => TextOp::Co,
                    CompareOp::Sw => TextOp::Sw,
                    CompareOp::Ew => TextOp::Ew,
                    other => {
                        return Err(invalid(format!(
                            "`{}` is not supported on {path}; use eq, ne, co, sw, ew or pr",
                            other.as_str()
                        )))
                    }
                };
                match value {
                    CompValue::Str(s) => {
                        let value = match field {
                            UserField::UserName | UserField::Name => fold_key(s),
                            UserField::Id => s.to_ascii_lowercase(),
                            UserField::ExternalId => s.clone(),
                        };
                        UserFilter::Text { field, op: text_op, value }
                    }
                    CompValue::Null if text_op == TextOp::Eq => UserFilter::Not(Box::new(present(field))),
                    CompValue::Null if text_op == TextOp::Ne => present(field),
                    _ => return Err(invalid(format!("{path} compares with a string"))),
                }
            }
        },
    })
}

fn present(field: UserField) -> UserFilter {
    match field {
        UserField::Id | UserField::UserName => UserFilter::All,
        f => UserFilter::Present(f),
    }
}
