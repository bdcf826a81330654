//! The hook for clients who asked for their data to be deleted (derecho de cancelación):
//! an import must not bring them back from an old export. Where erasures are recorded is
//! not this module's business; the importer asks through [`ErasedClients`], and the
//! tombstone check implements it (loading its tombstones once, before the rows are read).

/// Whether a client with this phone (E.164) or e-mail (lower case) was erased.
pub trait ErasedClients {
    fn is_erased(&self, phone: Option<&str>, email: Option<&str>) -> bool;
}

/// No client has been erased: for tests of the importer alone. `vetbot import` asks
/// [`crate::rights::tombstone::Tombstones`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NoneErased;

impl ErasedClients for NoneErased {
    fn is_erased(&self, _phone: Option<&str>, _email: Option<&str>) -> bool {
        false
    }
}
