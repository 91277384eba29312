//! Overriding one parameter of a rule set by name, for what-if runs (`realloc sweep`): the settings
//! `min_transfer` and `min_unit`, the share of the side constraints (`locality_cap`, `investor_cap`),
//! the pool move cap (`pool_move_cap`), and every `[params]` entry.

use crate::model::SideConstraintKind;
use crate::money::Money;

use super::Rules;

/// A parameter override that cannot apply.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamError {
    /// No parameter of that name.
    #[error("unknown parameter `{name}`; the rules `{rules}` know: {}", known.join(", "))]
    Unknown {
        /// Asked for.
        name: String,
        /// The rule set.
        rules: String,
        /// The names that can be overridden.
        known: Vec<String>,
    },
    /// The value is out of the parameter's range.
    #[error("parameter `{name}`: {expected}, found {value}")]
    Value {
        /// The parameter.
        name: String,
        /// The value given.
        value: f64,
        /// What the parameter takes.
        expected: &'static str,
    },
}

impl ParamError {
    /// The error in both languages, with its code, for a front end writing in the user's language.
    pub fn message(&self) -> crate::diag::Msg {
        match self {
            ParamError::Unknown { name, rules, known } => crate::msg!(
                "E943",
                "unknown parameter `{}`; the rules `{}` know: {}",
                "không có tham số `{}`; bộ quy tắc `{}` có: {}",
                name,
                rules,
                known.join(", ")
            ),
            ParamError::Value { name, value, expected } => {
                let expected_vi = match *expected {
                    "expected a finite number" => "cần một số hữu hạn",
                    "`min_transfer` may not fall below `min_unit`" => {
                        "`min_transfer` không được nhỏ hơn `min_unit`"
                    }
                    "expected a share above 0 and at most 1 (0.3 is 30%)" => {
                        "cần một tỷ lệ lớn hơn 0 và không quá 1 (0.3 là 30%)"
                    }
                    _ => "cần một số tiền (triệu đồng) lớn hơn 0, tối đa 3 chữ số thập phân",
                };
                crate::msg!(
                    "E944",
                    en("parameter `{name}`: {expected}, found {value}"),
                    vi("tham số `{name}`: {expected_vi}; đang là {value}")
                )
            }
        }
    }
}

/// Settings and constraint parameters, before the `[params]` entries.
const BUILT_IN: [&str; 5] = ["min_transfer", "min_unit", "locality_cap", "investor_cap", "pool_move_cap"];

impl Rules {
    /// The names [`Rules::with_param`] accepts: the settings, the constraint parameters this rule set
    /// declares, then every `[params]` entry.
    pub fn param_names(&self) -> Vec<String> {
        let has = |f: fn(&SideConstraintKind) -> bool| self.constraints.iter().any(|c| f(&c.kind));
        BUILT_IN
            .iter()
            .filter(|n| match **n {
                "locality_cap" => has(|k| matches!(k, SideConstraintKind::LocalityLossShare { .. })),
                "investor_cap" => has(|k| matches!(k, SideConstraintKind::InvestorLossShare { .. })),
                "pool_move_cap" => has(|k| matches!(k, SideConstraintKind::PoolMoveCap { .. })),
                _ => true,
            })
            .map(|s| (*s).to_owned())
            .chain(self.params.iter().map(|p| p.name.clone()))
            .collect()
    }

    /// The value of parameter `name` in force on `date` (amounts in million VND, shares as fractions).
    pub fn param_value(&self, name: &str, date: chrono::NaiveDate) -> Option<f64> {
        let share =
            |f: fn(&SideConstraintKind) -> Option<f64>| self.constraints.iter().find_map(|c| f(&c.kind));
        match name {
            "min_transfer" => Some(self.settings.min_transfer.million_f64()),
            "min_unit" => Some(self.settings.min_unit.million_f64()),
            "locality_cap" => share(|k| match k {
                SideConstraintKind::LocalityLossShare { max_share } => Some(*max_share),
                _ => None,
            }),
            "investor_cap" => share(|k| match k {
                SideConstraintKind::InvestorLossShare { max_share } => Some(*max_share),
                _ => None,
            }),
            "pool_move_cap" => share(|k| match k {
                SideConstraintKind::PoolMoveCap { max, .. } => Some(max.million_f64()),
                _ => None,
            }),
            _ => self.params.iter().find(|p| p.name == name).map(|p| p.at(date)),
        }
    }

    /// A copy of these rules with parameter `name` set to `value` on every date. Amounts are million
    /// VND (at most 3 decimals), shares fractions above 0 and at most 1; `locality_cap`,
    /// `investor_cap` and `pool_move_cap` set every constraint of their kind. The copy's name records
    /// the override; its digest stays that of the file.
    pub fn with_param(&self, name: &str, value: f64) -> Result<Rules, ParamError> {
        let bad = |expected| ParamError::Value { name: name.to_owned(), value, expected };
        if !value.is_finite() {
            return Err(bad("expected a finite number"));
        }
        if !self.param_names().iter().any(|n| n == name) {
            return Err(ParamError::Unknown {
                name: name.to_owned(),
                rules: self.name.clone(),
                known: self.param_names(),
            });
        }
        let amount = |v: f64| -> Option<Money> {
            Money::parse_million(&format!("{v}")).ok().filter(|m| *m > Money::ZERO)
        };
        let mut r = self.clone();
        match name {
            "min_transfer" | "min_unit" => {
                let m = amount(value).ok_or_else(|| {
                    bad("expected an amount in million VND above 0 with at most 3 decimals")
                })?;
                if name == "min_transfer" {
                    r.settings.min_transfer = m;
                } else {
                    r.settings.min_unit = m;
                }
                if r.settings.min_transfer < r.settings.min_unit {
                    return Err(bad("`min_transfer` may not fall below `min_unit`"));
                }
            }
            "locality_cap" | "investor_cap" => {
                if !(value > 0.0 && value <= 1.0) {
                    return Err(bad("expected a share above 0 and at most 1 (0.3 is 30%)"));
                }
                for c in &mut r.constraints {
                    match &mut c.kind {
                        SideConstraintKind::LocalityLossShare { max_share } if name == "locality_cap" => {
                            *max_share = value
                        }
                        SideConstraintKind::InvestorLossShare { max_share } if name == "investor_cap" => {
                            *max_share = value
                        }
                        _ => {}
                    }
                }
            }
            "pool_move_cap" => {
                let m = amount(value).ok_or_else(|| {
                    bad("expected an amount in million VND above 0 with at most 3 decimals")
                })?;
                for c in &mut r.constraints {
                    if let SideConstraintKind::PoolMoveCap { max, .. } = &mut c.kind {
                        *max = m;
                    }
                }
            }
            _ => {
                if let Some(p) = r.params.iter_mut().find(|p| p.name == name) {
                    p.values = vec![(None, value)];
                }
            }
        }
        r.name = format!("{} [{name} = {value}]", self.name);
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_and_unknown_names_list_the_known_ones() {
        let rules = Rules::builtin();
        let d = chrono::NaiveDate::from_ymd_opt(2025, 9, 30).unwrap_or_default();
        let r = rules.with_param("min_transfer", 120.0).unwrap();
        assert_eq!(r.settings().min_transfer, Money::from_dong(120_000_000));
        let r = rules.with_param("locality_cap", 0.1).unwrap();
        assert_eq!(r.param_value("locality_cap", d), Some(0.1));
        let r = rules.with_param("catch_up", 0.5).unwrap();
        assert_eq!(r.param_value("catch_up", d), Some(0.5));
        match rules.with_param("nope", 1.0) {
            Err(ParamError::Unknown { known, .. }) => {
                assert!(known.contains(&"min_transfer".to_owned()));
                assert!(known.contains(&"catch_up".to_owned()));
                assert!(!known.contains(&"pool_move_cap".to_owned()));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(rules.with_param("min_transfer", 0.5), Err(ParamError::Value { .. })));
        assert!(matches!(rules.with_param("locality_cap", 1.5), Err(ParamError::Value { .. })));
    }
}
