//! The Oura API through a wiremock fake following its documented JSON.
