//! Temporary stand-in for `realloc::overrides` until the overrides branch lands (removed on merge).
#![allow(missing_docs, dead_code)]

use std::collections::BTreeMap;

use realloc::diag::Diagnostics;
use realloc::money::Money;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    pub lock: Vec<Lock>,
    pub unlock: Vec<Unlock>,
    pub set: Vec<SetChange>,
    pub params: BTreeMap<String, f64>,
}
#[derive(Clone, Debug, PartialEq)]
pub struct Lock {
    pub id: String,
    pub source: String,
    pub reason: String,
    pub at: Option<String>,
}
#[derive(Clone, Debug, PartialEq)]
pub struct Unlock {
    pub id: String,
    pub source: String,
    pub reason: String,
    pub at: Option<String>,
}
#[derive(Clone, Debug, PartialEq)]
pub struct SetChange {
    pub id: String,
    pub source: String,
    pub change: Option<Money>,
    pub max_change: Option<Money>,
    pub reason: String,
    pub at: Option<String>,
}
impl Overrides {
    pub fn from_toml(_text: &str, _file: &str) -> Result<Overrides, Diagnostics> {
        Ok(Overrides::default())
    }
    pub fn to_toml(&self) -> String {
        format!("# {self:?}\n")
    }
    pub fn is_empty(&self) -> bool {
        self.lock.is_empty() && self.unlock.is_empty() && self.set.is_empty() && self.params.is_empty()
    }
}

pub trait PipelineOverrides<'a> {
    fn overrides(self, o: Option<Overrides>, file: &str) -> realloc::pipeline::Pipeline<'a>;
}
impl<'a> PipelineOverrides<'a> for realloc::pipeline::Pipeline<'a> {
    fn overrides(self, _o: Option<Overrides>, _file: &str) -> realloc::pipeline::Pipeline<'a> {
        self
    }
}
