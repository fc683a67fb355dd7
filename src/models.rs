//! The typed request and response models, generated from Pinterest's OpenAPI document.
//!
//! Structs have public fields and a `builder()`; enums whose values Pinterest may extend are
//! open (an `Unknown(String)` variant keeps values this version does not know).
//!
//! With the default `schemars` feature every model implements `schemars::JsonSchema`:
//!
//! ```
//! # #[cfg(feature = "schemars")] {
//! let schema = schemars::schema_for!(pinterest::models::CustomerListUploadResponse);
//! let schema = serde_json::to_value(&schema).unwrap();
//! assert_eq!(schema["properties"]["state"]["$ref"], "#/$defs/CustomerListUploadState");
//! # }
//! ```

pub use crate::generated::open_enums::{
    Currency, CustomerListStatus, CustomerListUploadState, ObjectiveType, UserListOperationType,
};
pub use crate::generated::types::{
    Audience, AudienceCreateRequest, AudienceRule, AudienceType, AudienceUpdateOperationType,
    AudienceUpdateRequest, CustomerList, CustomerListRequest, CustomerListUpdateRequest,
    CustomerListUpload, CustomerListUploadCreateRequest, CustomerListUploadCreateResponse,
    CustomerListUploadErrorCountsItem, CustomerListUploadRecordCounts, CustomerListUploadResponse,
    CustomerListUploadResponseErrorCountsItem, CustomerListUploadResponseRecordCounts, EventData,
    EventDataLineItems, Order, OwnershipType, S3FilePart, S3MultipartUploadData, UserListType,
};

/// Builders for the models: `AudienceCreateRequest::builder().name("...")` returns one.
pub mod builder {
    pub use crate::generated::types::builder::{
        Audience, AudienceCreateRequest, AudienceRule, AudienceUpdateRequest, CustomerList,
        EventData, EventDataLineItems,
    };
}

/// The error a model builder gives when a required field is missing.
pub use crate::generated::types::error::ConversionError;
