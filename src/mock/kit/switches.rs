//! Fault and variant switches: the tables a mock declares (`faults!`, `variants!`), the lookups
//! from the names `--fault` and `--variant` give, and the one value a mock asks while it serves.

/// One documented behaviour a mock can break, and the rules that must catch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultInfo {
    pub name: &'static str,
    /// Rule ids (of the API's contract) that check what this fault breaks.
    pub rules: &'static [&'static str],
    pub breaks: &'static str,
    /// Set when what the fault breaks is not stated by the document (an example value, a
    /// framework's default, our reading): why. Such a fault is caught as a warning only; every
    /// other fault must fail a rule that counts as `must`.
    pub unstated: Option<&'static str>,
}

/// One faithful variant of a mock: it keeps every sentence of the document but chooses
/// differently where the document is silent. Every variant must pass every `must` rule: this
/// shows the rules assert the document, not our mock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariantInfo {
    pub name: &'static str,
    /// What it chooses, and the silence of the document that allows it.
    pub chooses: &'static str,
}

/// The first of zero or one items (for the optional parts of `faults!`).
pub const fn first_of(items: &[&'static str]) -> Option<&'static str> {
    match items {
        [first, ..] => Some(*first),
        [] => None,
    }
}

/// An enum declared by `faults!` or `variants!`: its table and the lookup by name.
pub trait Switch: Copy + Eq + std::fmt::Debug + Send + Sync + 'static {
    /// `FaultInfo` or `VariantInfo`.
    type Info: 'static;
    /// Every value, in the order of the table.
    const ALL: &'static [Self];
    /// The table, in the order of `ALL`.
    const INFOS: &'static [Self::Info];
    /// The value a command line names, if the table has it.
    fn from_name(name: &str) -> Option<Self>;
}

/// What a mock was started as: faithful, with one fault, or as one faithful variant (or both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switches<F, V> {
    pub fault: Option<F>,
    pub variant: Option<V>,
}

impl<F, V> Default for Switches<F, V> {
    fn default() -> Self {
        Switches {
            fault: None,
            variant: None,
        }
    }
}

impl<F: Switch, V: Switch> Switches<F, V> {
    /// The faithful mock: no fault, the default choices.
    pub fn faithful() -> Self {
        Self::default()
    }

    /// The mock with fault `f` (for unit tests of one fault).
    pub fn with_fault(f: F) -> Self {
        Switches {
            fault: Some(f),
            variant: None,
        }
    }

    /// The mock as variant `v` (for unit tests of one variant).
    pub fn with_variant(v: V) -> Self {
        Switches {
            fault: None,
            variant: Some(v),
        }
    }

    /// The switches the names select; a name the tables do not have selects nothing (`start`
    /// has already refused unknown names with the valid ones).
    pub fn from_names(fault: Option<&str>, variant: Option<&str>) -> Self {
        Switches {
            fault: fault.and_then(F::from_name),
            variant: variant.and_then(V::from_name),
        }
    }

    /// Whether fault `f` is in force.
    pub fn is(&self, f: F) -> bool {
        self.fault == Some(f)
    }

    /// Whether the mock is variant `v`.
    pub fn chose(&self, v: V) -> bool {
        self.variant == Some(v)
    }
}

/// A mock's state that holds its switches: `app.is(Fault::X)`, `app.chose(Variant::Y)`.
pub trait HasSwitches {
    type Fault: Switch;
    type Variant: Switch;
    fn switches(&self) -> &Switches<Self::Fault, Self::Variant>;

    /// Whether fault `f` is in force.
    fn is(&self, f: Self::Fault) -> bool {
        self.switches().is(f)
    }

    /// Whether the mock is variant `v`.
    fn chose(&self, v: Self::Variant) -> bool {
        self.switches().chose(v)
    }
}

impl<F: Switch, V: Switch> HasSwitches for Switches<F, V> {
    type Fault = F;
    type Variant = V;
    fn switches(&self) -> &Switches<F, V> {
        self
    }
}

/// Declares a mock's faults: an enum (so a handler cannot name a fault that does not exist)
/// and the table `specgate mock --list-faults` prints.
///
/// ```ignore
/// faults! {
///     DefaultPageSize20 = "pagination.default-size-20" => ["checklick.pagination.default-size"]:
///         "lists return 20 items by default instead of 10",
///     // `~ "why"`: what this fault breaks is inferred, not stated; it is caught as a warning.
///     IdsAsNumbers = "ids.numbers" => ["checklick.users.id-type"] ~ "ids are strings only in an example":
///         "ids are numbers",
/// }
/// ```
#[macro_export]
macro_rules! faults {
    ($($variant:ident = $name:literal => [$($rule:literal),* $(,)?] $(~ $unstated:literal)? : $breaks:literal),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Fault { $($variant),* }

        impl Fault {
            pub const ALL: &'static [Fault] = &[$(Fault::$variant),*];
            pub const INFOS: &'static [$crate::mock::FaultInfo] = &[
                $($crate::mock::FaultInfo {
                    name: $name,
                    rules: &[$($rule),*],
                    breaks: $breaks,
                    unstated: $crate::mock::first_of(&[$($unstated)?]),
                }),*
            ];
            pub fn info(self) -> &'static $crate::mock::FaultInfo {
                &Self::INFOS[Self::ALL.iter().position(|f| *f == self).expect("listed")]
            }
            pub fn from_name(name: &str) -> Option<Fault> {
                Self::INFOS.iter().position(|i| i.name == name).map(|p| Self::ALL[p])
            }
        }

        impl $crate::mock::kit::Switch for Fault {
            type Info = $crate::mock::FaultInfo;
            const ALL: &'static [Fault] = Fault::ALL;
            const INFOS: &'static [$crate::mock::FaultInfo] = Fault::INFOS;
            fn from_name(name: &str) -> Option<Fault> {
                Fault::from_name(name)
            }
        }
    };
}

/// Declares a mock's faithful variants: an enum and the table `specgate mock --list-variants`
/// prints.
///
/// ```ignore
/// variants! {
///     IntegerIds = "integer-ids": "ids are JSON numbers (the document shows them only quoted)",
/// }
/// ```
#[macro_export]
macro_rules! variants {
    ($($variant:ident = $name:literal : $chooses:literal),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Variant { $($variant),* }

        impl Variant {
            pub const ALL: &'static [Variant] = &[$(Variant::$variant),*];
            pub const INFOS: &'static [$crate::mock::VariantInfo] = &[
                $($crate::mock::VariantInfo { name: $name, chooses: $chooses }),*
            ];
            pub fn info(self) -> &'static $crate::mock::VariantInfo {
                &Self::INFOS[Self::ALL.iter().position(|v| *v == self).expect("listed")]
            }
            pub fn from_name(name: &str) -> Option<Variant> {
                Self::INFOS.iter().position(|i| i.name == name).map(|p| Self::ALL[p])
            }
        }

        impl $crate::mock::kit::Switch for Variant {
            type Info = $crate::mock::VariantInfo;
            const ALL: &'static [Variant] = Variant::ALL;
            const INFOS: &'static [$crate::mock::VariantInfo] = Variant::INFOS;
            fn from_name(name: &str) -> Option<Variant> {
                Variant::from_name(name)
            }
        }
    };
}
