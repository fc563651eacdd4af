//! `closed_enum!`: a closed list of values that travel as fixed strings (error codes, audit
//! actions). Each variant's wire string is written once, beside it; `ALL` and `parse` follow.

/// Declares `enum $Name { Variant, … }` with `as_str` (the wire string), `ALL` (every
/// variant, in declaration order) and `parse` (the inverse of `as_str`). Callers map a
/// variant to anything else by an exhaustive `match`, so a new variant without its message
/// is a compile error.
macro_rules! closed_enum {
    ($(#[$meta:meta])* pub enum $Name:ident { $($(#[$vmeta:meta])* $Variant:ident => $wire:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $Name {
            $($(#[$vmeta])* $Variant,)*
        }

        impl $Name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$Name] = &[$($Name::$Variant,)*];

            /// The string this value travels as (fixed by the contract).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($Name::$Variant => $wire,)*
                }
            }

            /// The value whose wire string is `s`.
            pub fn parse(s: &str) -> Option<$Name> {
                match s {
                    $($wire => Some($Name::$Variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $Name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// Compares with a wire string, so a test can say `assert_eq!(e.code, "required")`.
        impl PartialEq<&str> for $Name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

pub(crate) use closed_enum;
