package graph

import (
	"io"
	"net/http"
)

// maxBody caps a successful response body. A page of 999 users with every property selected is a few
// megabytes; anything past this limit is an error rather than memory the process cannot spare.
const maxBody = 64 << 20

// doer sends requests for the generated client. It turns every non-2xx answer into an *Error (so no
// caller has to inspect JSONDefault) and caps the body of the others.
type doer struct {
	client *http.Client
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newError(resp)
	}
	resp.Body = &cappedBody{rc: resp.Body, left: maxBody}
	return resp, nil
}

// cappedBody fails with ErrBodyTooLarge once more than its limit has been read.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Check whether the body really goes on before failing.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, ErrBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
