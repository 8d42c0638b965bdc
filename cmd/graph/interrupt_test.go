package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/typedgraph/graph/graphtest"
)

// buildGraph builds the graph command into a temporary directory, once per test binary.
var buildGraph = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "graph-cli-")
	if err != nil {
		return "", err
	}
	exe := filepath.Join(dir, "graph")
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return exe, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// TestInterruptDuringAll sends SIGINT to the built command while --all lists a large directory and
// checks the shell's convention: exit status 130 and no output after the signal. The fake sends the
// signal itself from the request for a page, so the test knows exactly what was written before it,
// with no timing involved: every row of the pages before, in JSON mode, and nothing in table mode
// (a table is printed only once complete, and an interrupted one is dropped, not flushed).
func TestInterruptDuringAll(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	t.Parallel()
	exe, err := buildGraph()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(exe)) })

	const users, pageSize = 5000, 100
	tests := []struct {
		name string
		args []string
		// signalAt is the page whose request sends the signal. With block, that request hangs until
		// the command gives it up; otherwise the page is served and the command is writing its rows
		// when the signal arrives.
		signalAt int
		block    bool
		maxLines int // the most lines stdout may hold
		exact    bool
		sig      os.Signal // os.Interrupt unless set
		code     int       // 130 unless set
	}{
		// Signalled while waiting for page 3: pages 1 and 2 were printed, nothing after.
		{"json waiting", []string{"--json"}, 3, true, 2 * pageSize, true, nil, 0},
		// The table is never printed: it was not complete.
		{"table waiting", []string{"--json=false"}, 3, true, 0, true, nil, 0},
		// Signalled while page 2 arrives: at most page 2's rows, the one being written included, and
		// the command fetches no further page (page 3's request, if sent, never returns).
		{"json writing", []string{"--json"}, 2, false, 2 * pageSize, false, nil, 0},
		{"table writing", []string{"--json=false"}, 2, false, 0, true, nil, 0},
		// SIGTERM (kill) stops it the same way, with its own status, 128 + 15.
		{"json waiting, SIGTERM", []string{"--json"}, 3, true, 2 * pageSize, true, syscall.SIGTERM, 143},
	}
	for _, tt := range tests {
		if tt.sig == nil {
			tt.sig, tt.code = os.Interrupt, 130
		}
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := graphtest.NewServer(graphtest.Options{Users: users})
			t.Cleanup(f.Close)
			var (
				pages   atomic.Int32
				proc    atomic.Pointer[os.Process]
				started = make(chan struct{}) // closed once proc is set
			)
			f.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/users") {
					return false
				}
				n := int(pages.Add(1))
				switch {
				case n == tt.signalAt:
					<-started
					if err := proc.Load().Signal(tt.sig); err != nil {
						t.Errorf("signal: %v", err)
					}
					if !tt.block {
						return false // served; the command writes its rows as the signal lands
					}
					<-r.Context().Done()
					return true
				case n > tt.signalAt:
					<-r.Context().Done() // no page after the signal's ever arrives
					return true
				}
				return false
			})

			var stdout, stderr bytes.Buffer
			args := append([]string{"users", "list", "--all", "--top", "100", "--select", "id,displayName"}, tt.args...)
			cmd := exec.Command(exe, args...)
			for k, v := range fakeEnv(f) {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			proc.Store(cmd.Process)
			close(started)
			err := cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != tt.code {
				t.Fatalf("exit status %d (%v), want %d\nstderr: %s", code, err, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "graph: interrupted") {
				t.Errorf("stderr %q does not say it was interrupted", stderr.String())
			}
			out := stdout.String()
			lines := strings.Count(out, "\n")
			if lines > tt.maxLines || (tt.exact && lines != tt.maxLines) {
				t.Errorf("%d lines of output, want %s %d", lines, map[bool]string{true: "exactly", false: "at most"}[tt.exact], tt.maxLines)
			}
			if out != "" && !strings.HasSuffix(out, "\n") {
				t.Errorf("output ends inside a row: %q", out[max(0, len(out)-80):])
			}
			for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if line != "" && !json.Valid([]byte(line)) {
					t.Errorf("line %d is not a whole JSON object: %q", i+1, line)
				}
			}
		})
	}
}
