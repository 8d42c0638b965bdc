package nullable_test

import (
	"testing"

	"github.com/typedgraph/graph/nullable"
)

func TestArrayLen(t *testing.T) {
	tests := []struct {
		body string
		want int
	}{
		{`{"value":[]}`, 0},
		{`{"value":[ ]}`, 0},
		{`{"value":[{"id":"1"}]}`, 1},
		{`{"@odata.nextLink":"x","value":[{"a":[1,2],"b":{"c":","}},{"d":"]\"["},3]}`, 3},
		{` { "value" : [ 1 , 2 ] , "x" : 1 }`, 2},
		{`{"x":{"value":[1,2,3]},"value":[1]}`, 1},
		{`{"x":"value","value":[1,2]}`, 2},
		{`{"value":null}`, 0},
		{`{"value":"[1,2]"}`, 0},
		{`[1,2,3]`, 0},
		{`{"value":[1,2,3`, 2},
		{`{"value":[1,2,3,4,5,6,7]}`, 5}, // limit
		{`{"value":["unterminated`, 0},
		{``, 0},
	}
	for _, tt := range tests {
		if got := nullable.ArrayLen([]byte(tt.body), "value", 5); got != tt.want {
			t.Errorf("ArrayLen(%s) = %d, want %d", tt.body, got, tt.want)
		}
	}
}

// FuzzArrayLen: any bytes, no panic, never above the limit.
func FuzzArrayLen(f *testing.F) {
	f.Add(`{"value":[{"id":"1"},2]}`)
	f.Add(`{"value":["\"]",[{}]]}`)
	f.Fuzz(func(t *testing.T, body string) {
		if n := nullable.ArrayLen([]byte(body), "value", 10); n < 0 || n > 10 {
			t.Fatalf("ArrayLen(%q) = %d", body, n)
		}
	})
}
