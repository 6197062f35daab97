//! One macro for the closed sets of values (kinds, statuses, roles) that travel as strings.

/// Declares an enum whose variants have a fixed wire name (used in JSON, SQL and URLs) and whose
/// translation key is `{prefix}-{wire name}`.
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $key_prefix:literal { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            pub fn parse(value: &str) -> Option<$name> {
                match value { $($wire => Some($name::$variant),)+ _ => None }
            }

            /// The Fluent catalogue key naming this value.
            pub fn message_key(self) -> String {
                format!("{}-{}", $key_prefix, self.as_str().replace('_', "-"))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown value {:?}, expected one of: {}",
                        s,
                        [$($wire),+].join(", ")
                    ))
                })
            }
        }
    };
}
