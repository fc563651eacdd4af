//! SCIM PATCH (RFC 7644 §3.5.2): `add`, `replace` and `remove`, with or without a path, a
//! path's simple value filter (`phoneNumbers[type eq "mobile"].value`) included, applied to
//! the resource's writable view. The rules then read the result exactly as a PUT's body, so
//! a PATCH can do nothing a PUT could not.

use crate::error::FieldError;
use crate::scim::filter::{self, AttrPath, CompValue, CompareOp, Filter};
use crate::scim::schema::{self, AttrDef, Mutability, CORE_USER, EXTENSION_ATTRS, EXTENSION_USER, USER_ATTRS};
use crate::scim::value::Value;
use crate::Code;

pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// The most operations one request holds.
pub const MAX_OPERATIONS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Add,
    Replace,
    Remove,
}

#[derive(Debug, Clone)]
pub struct PatchOp {
    pub op: OpKind,
    pub path: Option<String>,
    pub value: Option<Value>,
}

fn syntax(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError::new(field, Code::InvalidFormat, message)
}

/// The request's operations, or what is wrong with its shape (`invalidSyntax`).
pub fn read_request(body: &Value) -> Result<Vec<PatchOp>, FieldError> {
    let Value::Object(_) = body else { return Err(syntax("", "a PATCH body is a PatchOp object")) };
    let names_schema = matches!(body.get("schemas"), Some(Value::Array(s))
        if s.iter().any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP))));
    if !names_schema {
        return Err(syntax("schemas", format!("schemas must hold {PATCH_OP}")));
    }
    let Some(Value::Array(ops)) = body.get("Operations") else {
        return Err(syntax("Operations", "Operations must be an array of operations"));
    };
    if ops.is_empty() || ops.len() > MAX_OPERATIONS {
        return Err(syntax("Operations", format!("from 1 to {MAX_OPERATIONS} operations")));
    }
    ops.iter()
        .enumerate()
        .map(|(i, o)| {
            let at = format!("Operations[{i}]");
            let kind = match o.get("op").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
                Some("add") => OpKind::Add,
                Some("replace") => OpKind::Replace,
                Some("remove") => OpKind::Remove,
                _ => return Err(syntax(format!("{at}.op"), "op is add, replace or remove")),
            };
            let path = match o.get("path") {
                None | Some(Value::Null) => None,
                Some(Value::String(p)) => Some(p.clone()),
                Some(_) => return Err(syntax(format!("{at}.path"), "a path is a string")),
            };
            let value = o.get("value").cloned();
            if kind != OpKind::Remove && value.is_none() {
                return Err(syntax(format!("{at}.value"), "add and replace need a value"));
            }
            Ok(PatchOp { op: kind, path, value })
        })
        .collect()
}

/// Where a path points: an attribute of the core schema or of our extension, perhaps one
/// value-filtered element, perhaps one sub-attribute.
struct Target {
    /// `None`: the core attributes at the top; `Some`: the extension's object.
    extension: bool,
    def: &'static AttrDef,
    filter: Option<Filter>,
    sub: Option<&'static AttrDef>,
}

fn invalid_path(path: &str, why: impl std::fmt::Display) -> FieldError {
    FieldError::new("path", Code::InvalidPath, format!("`{path}`: {why}"))
}

fn read_only(name: &str) -> FieldError {
    FieldError::new(name, Code::Immutable, format!("{name} is read-only"))
}

pub(crate) fn no_password() -> FieldError {
    FieldError::new(
        "password",
        Code::Immutable,
        "no password is accepted: the person sets their own at activation (R11)",
    )
}

/// Reads a PATCH path (RFC 7644's `PATH = attrPath / valuePath [subAttr]`) against the schema.
fn target(raw: &str) -> Result<Target, FieldError> {
    let (head, filter, tail) = match raw.find('[') {
        Some(open) => {
            let close = raw.rfind(']').filter(|c| *c > open).ok_or_else(|| invalid_path(raw, "`[` is not closed"))?;
            let inner = filter::parse(&raw[open + 1..close]).map_err(|e| invalid_path(raw, e))?;
            let tail = &raw[close + 1..];
            let tail = match tail.strip_prefix('.') {
                Some(s) => Some(s),
                None if tail.is_empty() => None,
                None => return Err(invalid_path(raw, "only `.subAttribute` may follow `]`")),
            };
            (&raw[..open], Some(inner), tail)
        }
        None => (raw, None, None),
    };
    let path = AttrPath::parse(head).map_err(|e| invalid_path(raw, e))?;
    let extension = match &path.urn {
        None => false,
        Some(u) if u.eq_ignore_ascii_case(CORE_USER) => false,
        Some(u) if u.eq_ignore_ascii_case(EXTENSION_USER) => true,
        Some(u) => return Err(invalid_path(raw, format!("`{u}` is not a schema of Users"))),
    };
    let attrs = if extension { EXTENSION_ATTRS } else { USER_ATTRS };
    let def = schema::find(attrs, &path.attr).ok_or_else(|| invalid_path(raw, "no such attribute"))?;
    let sub_name = match (path.sub.as_deref(), tail) {
        (Some(_), Some(_)) => return Err(invalid_path(raw, "one sub-attribute at most")),
        (s, t) => s.or(t),
    };
    let sub = match sub_name {
        Some(s) => Some(schema::find(def.sub, s).ok_or_else(|| invalid_path(raw, "no such sub-attribute"))?),
        None => None,
    };
    if filter.is_some() && !def.multi {
        return Err(invalid_path(raw, "only multi-valued attributes take a filter"));
    }
    if def.name == "password" {
        return Err(no_password());
    }
    if def.mutability == Mutability::ReadOnly {
        return Err(read_only(def.name));
    }
    Ok(Target { extension, def, filter, sub })
}

/// Applies one operation to the resource's writable view `doc`.
pub fn apply(doc: &mut Value, op: &PatchOp) -> Result<(), FieldError> {
    match &op.path {
        None => {
            if op.op == OpKind::Remove {
                return Err(FieldError::new("path", Code::NoTarget, "remove needs a path"));
            }
            let Some(Value::Object(members)) = &op.value else {
                return Err(FieldError::new("value", Code::Invalid, "without a path, the value is an object"));
            };
            for (key, value) in members {
                if ["schemas", "id", "meta"].iter().any(|k| k.eq_ignore_ascii_case(key)) {
                    continue;
                }
                if key.eq_ignore_ascii_case(EXTENSION_USER) {
                    let Value::Object(ext) = value else {
                        return Err(FieldError::new(EXTENSION_USER, Code::Invalid, "the extension is an object"));
                    };
                    for (k, v) in ext {
                        let one =
                            PatchOp { op: op.op, path: Some(format!("{EXTENSION_USER}:{k}")), value: Some(v.clone()) };
                        apply(doc, &one)?;
                    }
                    continue;
                }
                let one = PatchOp { op: op.op, path: Some(key.clone()), value: Some(value.clone()) };
                apply(doc, &one)?;
            }
            Ok(())
        }
        Some(raw) if raw.eq_ignore_ascii_case(EXTENSION_USER) => {
            let Some(Value::Object(ext)) = &op.value else {
                return match op.op {
                    OpKind::Remove => {
                        doc.remove(EXTENSION_USER);
                        Ok(())
                    }
                    _ => Err(FieldError::new(EXTENSION_USER, Code::Invalid, "the extension is an object")),
                };
            };
            for (k, v) in ext {
                let one = PatchOp { op: op.op, path: Some(format!("{EXTENSION_USER}:{k}")), value: Some(v.clone()) };
                apply(doc, &one)?;
            }
            Ok(())
        }
        Some(raw) => {
            let t = target(raw)?;
            if t.extension && doc.get(EXTENSION_USER).is_none() {
                doc.set(EXTENSION_USER, Value::object());
            }
            let container = if t.extension { doc.get_mut(EXTENSION_USER).expect("set above") } else { doc };
            apply_at(container, &t, op, raw)
        }
    }
}

fn apply_at(container: &mut Value, t: &Target, op: &PatchOp, raw: &str) -> Result<(), FieldError> {
    let name = t.def.name;
    let value = op.value.clone().unwrap_or(Value::Null);
    match (&t.filter, t.sub) {
        (None, None) => match op.op {
            OpKind::Remove => {
                container.remove(name);
            }
            OpKind::Add if t.def.multi => {
                let mut items = match container.get(name) {
                    Some(Value::Array(a)) => a.clone(),
                    _ => Vec::new(),
                };
                match value {
                    Value::Array(more) => items.extend(more),
                    one => items.push(one),
                }
                container.set(name, Value::Array(items));
            }
            // A complex attribute's sub-attributes merge into what is there (§3.5.2.1, .3).
            _ if !t.def.multi && !t.def.sub.is_empty() => {
                let Value::Object(members) = value else {
                    return Err(FieldError::new(name, Code::Invalid, format!("{name} is an object")));
                };
                if container.get(name).is_none_or(|v| !matches!(v, Value::Object(_))) {
                    container.set(name, Value::object());
                }
                let at = container.get_mut(name).expect("set above");
                for (k, v) in members {
                    if schema::find(t.def.sub, &k).is_none() {
                        return Err(invalid_path(raw, format!("{name} has no sub-attribute {k}")));
                    }
                    at.set(&k, v);
                }
            }
            _ => container.set(name, value),
        },
        (None, Some(sub)) => {
            if container.get(name).is_none() && op.op != OpKind::Remove {
                container.set(name, if t.def.multi { Value::Array(Vec::new()) } else { Value::object() });
            }
            match container.get_mut(name) {
                Some(Value::Array(items)) => {
                    for item in items.iter_mut() {
                        set_sub(item, sub.name, op, &value);
                    }
                }
                Some(obj @ Value::Object(_)) => set_sub(obj, sub.name, op, &value),
                _ => {}
            }
        }
        (Some(f), sub) => {
            let Some(Value::Array(items)) = container.get_mut(name) else {
                return Err(FieldError::new("path", Code::NoTarget, format!("`{raw}` matches nothing")));
            };
            let matching: Vec<usize> = (0..items.len()).filter(|i| matches(&items[*i], f)).collect();
            if matching.is_empty() {
                return Err(FieldError::new("path", Code::NoTarget, format!("`{raw}` matches nothing")));
            }
            match (op.op, sub) {
                (OpKind::Remove, None) => {
                    let mut i = 0;
                    items.retain(|_| {
                        let keep = !matching.contains(&i);
                        i += 1;
                        keep
                    });
                }
                (_, None) => {
                    for i in matching {
                        items[i] = value.clone();
                    }
                }
                (_, Some(sub)) => {
                    for i in matching {
                        set_sub(&mut items[i], sub.name, op, &value);
                    }
                }
            }
        }
    }
    Ok(())
}

fn set_sub(obj: &mut Value, sub: &str, op: &PatchOp, value: &Value) {
    match op.op {
        OpKind::Remove => {
            obj.remove(sub);
        }
        _ => obj.set(sub, value.clone()),
    }
}

/// A value filter against one element of a multi-valued attribute (`type eq "mobile"`):
/// strings compare case-insensitively; anything it cannot compare does not match.
pub fn matches(item: &Value, f: &Filter) -> bool {
    match f {
        Filter::And(a, b) => matches(item, a) && matches(item, b),
        Filter::Or(a, b) => matches(item, a) || matches(item, b),
        Filter::Not(x) => !matches(item, x),
        Filter::Present(p) => item.get(&p.attr).is_some_and(|v| !v.is_null()),
        Filter::ValuePath { .. } => false,
        Filter::Compare { path, op, value } => {
            let Some(have) = item.get(&path.attr) else { return matches!(op, CompareOp::Ne) };
            match (have, value) {
                (Value::String(h), CompValue::Str(w)) => {
                    let (h, w) = (h.to_lowercase(), w.to_lowercase());
                    match op {
                        CompareOp::Eq => h == w,
                        CompareOp::Ne => h != w,
                        CompareOp::Co => h.contains(&w),
                        CompareOp::Sw => h.starts_with(&w),
                        CompareOp::Ew => h.ends_with(&w),
                        _ => false,
                    }
                }
                (Value::Bool(h), CompValue::Bool(w)) => match op {
                    CompareOp::Eq => h == w,
                    CompareOp::Ne => h != w,
                    _ => false,
                },
                _ => false,
            }
        }
    }
}
