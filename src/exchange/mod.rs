//! One HTTP exchange: a request rendered from a contract's request and the run's variables
//! (`request`), sent within its bounds (`client`), and its response as recorded (`response`,
//! with `xml` for XML bodies).

pub mod client;
pub mod request;
pub mod response;
pub mod xml;
