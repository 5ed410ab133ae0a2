//! The values a filter's WHERE clause binds, built at run time in the order of its `$n`
//! placeholders, whatever their type: the queue's and the case list's filters share this.

use sqlx::any::{Any, AnyArguments};
use sqlx::query::{Query, QueryScalar};

pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

/// Binds every value, in order, to a query.
pub(crate) fn bind_all<'q>(
    mut q: Query<'q, Any, AnyArguments<'q>>,
    binds: Vec<Bind>,
) -> Query<'q, Any, AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(t) => q.bind(t),
            Bind::Int(i) => q.bind(i),
        };
    }
    q
}

/// Binds every value, in order, to a query of one value (a count).
pub(crate) fn bind_all_scalar<'q, O>(
    mut q: QueryScalar<'q, Any, O, AnyArguments<'q>>,
    binds: Vec<Bind>,
) -> QueryScalar<'q, Any, O, AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(t) => q.bind(t),
            Bind::Int(i) => q.bind(i),
        };
    }
    q
}
