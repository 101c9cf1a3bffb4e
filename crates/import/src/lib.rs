//! Importers of public labelled data sets into the event-log and truth formats.
