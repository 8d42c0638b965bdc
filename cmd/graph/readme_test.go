package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeCommands replays the graph commands README shows (the quick start and the examples of
// "The graph command") against the embedded emulator, as a newcomer would type them on a fresh
// machine with nothing configured: each must succeed and print something.
func TestReadmeCommands(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Skipf("no README.md: %v", err)
	}
	var lines []string
	for _, part := range []struct {
		section string
		blocks  int // how many of its sh blocks hold graph commands
	}{
		{"## Quick start", 1}, // go run ./cmd/graph users list; the next ones run go test and a tenant
		{"## The `graph` command", 99},
	} {
		section := part.section
		_, body, ok := strings.Cut(string(readme), section+"\n")
		if !ok {
			t.Fatalf("README has no %q section", section)
		}
		if i := strings.Index(body, "\n## "); i >= 0 {
			body = body[:i]
		}
		for rest, n := body, 0; n < part.blocks; n++ {
			var block string
			if _, rest, ok = strings.Cut(rest, "```sh\n"); !ok {
				break
			}
			block, rest, _ = strings.Cut(rest, "```")
			for _, line := range strings.Split(block, "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
					lines = append(lines, line)
				}
			}
		}
	}
	if len(lines) < 8 {
		t.Fatalf("found only %d commands in README: %q", len(lines), lines)
	}
	for _, line := range lines {
		args, stdin, err := readmeCommand(line)
		if err != nil {
			t.Errorf("README line %q: %v", line, err)
			continue
		}
		r := runCLI(t, invocation{stdin: stdin}, args...)
		if r.code != 0 {
			t.Errorf("README's %q: exit %d\nstdout: %s\nstderr: %s", line, r.code, r.stdout, r.stderr)
			continue
		}
		if r.stdout == "" && !strings.Contains(line, " update ") && !strings.Contains(line, " add-member ") {
			t.Errorf("README's %q printed nothing", line)
		}
		if !strings.Contains(r.stderr, "using the embedded emulator") {
			t.Errorf("README's %q did not run against the embedded emulator: %s", line, r.stderr)
		}
	}
}

// readmeCommand turns a README shell line into graph's arguments and standard input. It knows the
// shapes README uses: "graph ...", "go run ./cmd/graph ...", "echo 'JSON' | graph ..." and a final
// "> FILE" redirection (dropped: the output is checked instead).
func readmeCommand(line string) (args []string, stdin string, err error) {
	words, err := splitShell(line)
	if err != nil {
		return nil, "", err
	}
	if i := indexOf(words, "|"); i >= 0 {
		if i != 2 || words[0] != "echo" {
			return nil, "", errors.New("a pipe from something other than echo 'TEXT'")
		}
		stdin, words = words[1]+"\n", words[i+1:]
	}
	if i := indexOf(words, ">"); i >= 0 {
		words = words[:i]
	}
	switch {
	case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/graph":
		words = words[3:]
	case len(words) >= 1 && words[0] == "graph":
		words = words[1:]
	default:
		return nil, "", errors.New("not a graph command")
	}
	return words, stdin, nil
}

func indexOf(words []string, w string) int {
	for i, x := range words {
		if x == w {
			return i
		}
	}
	return -1
}

// splitShell splits a line as a POSIX shell would for the quoting README uses: single quotes, double
// quotes (without escapes or expansions) and unquoted | and > as words of their own.
func splitShell(line string) ([]string, error) {
	var (
		words  []string
		cur    strings.Builder
		inWord bool
		quote  rune
	)
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			flush()
		case r == '|' || r == '>':
			flush()
			words = append(words, string(r))
		case r == '$' || r == '`' || r == '\\':
			return nil, errors.New("expansions and escapes are not replayed")
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unterminated quote")
	}
	flush()
	return words, nil
}
