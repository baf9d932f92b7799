// Placeholder so the package loads before this target has sources; delete when real files land.
