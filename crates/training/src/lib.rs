//! The pure core of training: the course catalogue's model (a course, its audience, its
//! Markdown modules and their quizzes), the one course file format used by the demo seed,
//! the importer and every export, quiz marking against the pass mark, the completion rule,
//! the certificate verification code, and Markdown rendered so that no raw HTML (and so no
//! script) from a course file reaches a page.
//!
//! Architecture invariant: no IO. Randomness for codes is passed in by the caller.

pub mod code;
pub mod markdown;
pub mod model;
pub mod samples;

pub use code::{CertificateCode, CodeError};
pub use model::{Audience, Course, CourseError, Module, Question, Quiz, QuizResult};
