package nullable

// ArrayLen returns the number of elements of the array that is member of the JSON object b, at most
// limit; 0 when b is not an object with such an array. The generated collection types call it before
// decoding a page, so that the page's slice of models is allocated once at its length instead of grown
// by append (a page of 999 users grown so costs three times its final size). It reads only the
// structure of b (strings, brackets and commas) and validates nothing: encoding/json does, after.
func ArrayLen(b []byte, member string, limit int) int {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			end := stringEnd(b, i)
			if end < 0 {
				return 0
			}
			if depth == 1 && string(b[i+1:end]) == member {
				j := skipSpace(b, end+1)
				if j < len(b) && b[j] == ':' {
					if j = skipSpace(b, j+1); j < len(b) && b[j] == '[' {
						return countElements(b, j, limit)
					}
				}
			}
			i = end
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return 0
}

// countElements counts the elements of the array that opens at b[open], up to limit.
func countElements(b []byte, open, limit int) int {
	n, depth, empty := 0, 0, true
	for i := open + 1; i < len(b) && n < limit; i++ {
		switch c := b[i]; c {
		case '"':
			if i = stringEnd(b, i); i < 0 {
				return 0
			}
			empty = false
		case '{', '[':
			depth++
			empty = false
		case '}', ']':
			if depth == 0 {
				if empty {
					return 0
				}
				return n + 1
			}
			depth--
		case ',':
			if depth == 0 {
				n++
			}
		case ' ', '\t', '\n', '\r':
		default:
			empty = false
		}
	}
	return min(n, limit)
}

// stringEnd returns the index of the quote that closes the string opening at b[i], or -1.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
