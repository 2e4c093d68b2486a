package scale

import (
	"strconv"
	"strings"
)

// Tag is a parsed `scale:"..."` struct tag. The tag is a comma-separated
// list: "-" skips the field; "compact" encodes integers (also the integer
// elements of slices, arrays and pointers) as Compact<T>; "index=N" sets an
// Enum variant's index; any other token names the field as it appears in
// runtime metadata (used by metadata-driven decoding, ignored here).
type Tag struct {
	Name     string
	Skip     bool
	Compact  bool
	Index    int
	HasIndex bool
}

// ParseTag parses the value of a `scale` struct tag.
func ParseTag(s string) Tag {
	var t Tag
	if s == "-" {
		t.Skip = true
		return t
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		switch {
		case part == "":
		case part == "compact":
			t.Compact = true
		case strings.HasPrefix(part, "index="):
			if n, err := strconv.Atoi(part[len("index="):]); err == nil && n >= 0 && n < 256 {
				t.Index, t.HasIndex = n, true
			}
		default:
			t.Name = part
		}
	}
	return t
}
