// Placeholder from branch `node` so the package resolves before the API target has sources.
// Delete this file when real sources land in Sources/API.
