// Placeholder until the GitSource tests land.
