"""EPCIS 2.0 as pure computation: the GS1 schema and vocabularies, identifiers, validation, the
CBV 2.0 event hash, and the shapes of stored events and answers. No I/O beyond reading the GS1
files shipped beside these modules."""
