// Placeholder so the package resolves on the controllers branch before this test target lands.
// Remove when merging a branch that adds real files here.
