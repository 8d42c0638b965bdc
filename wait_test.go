package graph_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/typedgraph/graph"
)

func TestWaitUntilConsecutive(t *testing.T) {
	for _, tc := range []struct {
		name        string
		answers     []bool // whether each read satisfies the condition
		consecutive int
		wantReads   int
	}{
		{"held at once", []bool{true, true, true}, 3, 3},
		{"a miss restarts the count", []bool{false, true, true, false, true, true, true}, 3, 7},
		{"one is enough", []bool{false, false, true}, 1, 3},
		{"default is 5", []bool{true, true, true, true, false, true, true, true, true, true}, 0, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reads := 0
			read := func(context.Context) (int, error) {
				reads++
				if reads > len(tc.answers) {
					t.Fatalf("read %d: past the condition holding", reads)
				}
				return reads, nil
			}
			slept := &sleeps{}
			got, err := graph.WaitUntil(context.Background(), read,
				func(i int, err error) bool { return err == nil && tc.answers[i-1] },
				&graph.WaitOptions{Consecutive: tc.consecutive, Interval: time.Second, Sleep: slept.sleep})
			if err != nil || got != tc.wantReads || reads != tc.wantReads {
				t.Fatalf("WaitUntil = %d, %v after %d reads; want %d", got, err, reads, tc.wantReads)
			}
			if waits, sum := slept.total(); waits != reads-1 || sum != time.Duration(reads-1)*time.Second {
				t.Errorf("%d waits of %v in all, want one interval between reads", waits, sum)
			}
		})
	}
}

// At the context's deadline WaitUntil returns the context's error, here through the real timer.
func TestWaitUntilDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	reads := 0
	_, err := graph.WaitUntil(ctx, func(context.Context) (string, error) { reads++; return "old", nil },
		func(v string, err error) bool { return v == "new" }, &graph.WaitOptions{Interval: time.Hour})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if reads > 1 { // 0 on a machine slow enough to reach the deadline before the first read
		t.Errorf("%d reads, want at most 1 (the interval outlasts the deadline)", reads)
	}
}

func TestWaitUntilErrors(t *testing.T) {
	lag := &graph.Error{StatusCode: http.StatusNotFound, Code: "Request_ResourceNotFound"}
	denied := &graph.Error{StatusCode: http.StatusForbidden, Code: "Authorization_RequestDenied"}
	opts := &graph.WaitOptions{Consecutive: 1, Sleep: (&sleeps{}).sleep}
	exists := func(_ int, err error) bool { return err == nil }

	// Replication lag is waited through.
	reads := 0
	got, err := graph.WaitUntil(context.Background(), func(context.Context) (int, error) {
		reads++
		if reads < 3 {
			return 0, lag
		}
		return 7, nil
	}, exists, opts)
	if err != nil || got != 7 || reads != 3 {
		t.Errorf("through lag: %d, %v after %d reads", got, err, reads)
	}

	// An error that waiting will not cure ends the wait.
	reads = 0
	_, err = graph.WaitUntil(context.Background(), func(context.Context) (int, error) { reads++; return 0, denied }, exists, opts)
	if !errors.Is(err, denied) || reads != 1 {
		t.Errorf("403: %v after %d reads, want the 403 at once", err, reads)
	}

	// A condition may accept an error: waiting for an object to be gone.
	gone := func(_ int, err error) bool {
		var gerr *graph.Error
		return errors.As(err, &gerr) && gerr.StatusCode == http.StatusNotFound
	}
	if _, err := graph.WaitUntil(context.Background(), func(context.Context) (int, error) { return 0, lag }, gone, opts); !errors.Is(err, lag) {
		t.Errorf("gone: %v", err)
	}

	// The context's end during a lagging read is reported with that read's error.
	ctx, cancel := context.WithCancel(context.Background())
	_, err = graph.WaitUntil(ctx, func(context.Context) (int, error) { cancel(); return 0, lag }, exists, opts)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, lag) {
		t.Errorf("canceled: %v, want context.Canceled and the last read's error", err)
	}

	//nolint:staticcheck // a nil context is what is being tested
	if _, err := graph.WaitUntil[int](nil, nil, nil, nil); err == nil {
		t.Error("nil context and functions: no error")
	}
}
