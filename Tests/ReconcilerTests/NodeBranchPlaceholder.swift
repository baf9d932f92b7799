// Placeholder from branch `node` so the package resolves before the ReconcilerTests target has sources.
// Delete this file when real sources land in Tests/ReconcilerTests.
