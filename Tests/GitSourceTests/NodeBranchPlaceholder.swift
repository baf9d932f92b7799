// Placeholder from branch `node` so the package resolves before the GitSourceTests target has sources.
// Delete this file when real sources land in Tests/GitSourceTests.
