// The page of `realloc serve` (work in progress).
