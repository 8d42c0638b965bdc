// Command buildcost measures what typedgraph costs to build: the cold build time (a fresh, empty
// GOCACHE, so the standard library is compiled too) and the binary size of a small program that lists
// users with typedgraph, beside a floor program that does the same GET with only net/http and
// encoding/json, and prints both with their ratios.
//
// Run it from the repository:
//
//	go run ./scripts/buildcost            # one cold build of each
//	go run ./scripts/buildcost -runs 3    # the median of three
//
// It writes both programs to a temporary directory. The typedgraph program's module requires
// github.com/typedgraph/graph with a replace directive pointing at this repository, and starts from a
// copy of its go.sum. Builds run with GOFLAGS=-mod=mod and use the module cache already downloaded
// (GOPROXY is left as configured; nothing new needs fetching once the repository's own modules are in
// the cache, e.g. after go test ./...). It is not a test and CI does not run it: cold builds take
// minutes on a small machine.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// typedgraphMain lists users with typedgraph the way a daemon would: client credentials from the
// environment, every page followed by client.Users.
const typedgraphMain = `package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/typedgraph/graph"
	"github.com/typedgraph/graph/auth"
)

func main() {
	client, err := graph.NewClient(graph.Config{
		TenantID:   os.Getenv("AZURE_TENANT_ID"),
		ClientID:   os.Getenv("AZURE_CLIENT_ID"),
		Credential: auth.NewClientSecret(os.Getenv("AZURE_CLIENT_SECRET")),
	})
	if err != nil {
		log.Fatal(err)
	}
	params := &graph.ListUsersParams{Select: []string{"id", "displayName"}}
	for u, err := range client.Users(context.Background(), params) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(*u.ID, u.DisplayName.GetOrEmpty())
	}
}
`

// floorMain does the same GETs with net/http and encoding/json alone, decoding into a local struct,
// with a bearer token taken from the environment.
const floorMain = `package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
)

type page struct {
	NextLink string ` + "`json:\"@odata.nextLink\"`" + `
	Value    []struct {
		ID          string ` + "`json:\"id\"`" + `
		DisplayName string ` + "`json:\"displayName\"`" + `
	} ` + "`json:\"value\"`" + `
}

func main() {
	next := "https://graph.microsoft.com/v1.0/users?$select=id,displayName"
	for next != "" {
		req, err := http.NewRequest(http.MethodGet, next, nil)
		if err != nil {
			log.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+os.Getenv("GRAPH_TOKEN"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		var p page
		err = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			log.Fatal(resp.Status, err)
		}
		for _, u := range p.Value {
			fmt.Println(u.ID, u.DisplayName)
		}
		next = p.NextLink
	}
}
`

type result struct {
	wall   time.Duration // wall time of go build
	cpu    time.Duration // user + system time of go build and the compilers and linker it ran
	maxRSS int64         // bytes, the largest single process of the build; 0 where unknown
	size   int64         // bytes of the binary
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("buildcost: ")
	runs := flag.Int("runs", 1, "cold builds of each program; the median is reported")
	keep := flag.Bool("keep", false, "keep the temporary directory and print its path")
	flag.Parse()
	if *runs < 1 {
		log.Fatal("-runs must be at least 1")
	}

	root, err := repoRoot()
	if err != nil {
		log.Fatal(err)
	}
	tmp, err := os.MkdirTemp("", "buildcost-")
	if err != nil {
		log.Fatal(err)
	}
	if *keep {
		fmt.Println("temporary directory:", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		log.Fatal(err)
	}
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	if i := strings.IndexAny(goVersion, " -"); i >= 0 {
		goVersion = goVersion[:i]
	}
	tgDir := filepath.Join(tmp, "typedgraph")
	floorDir := filepath.Join(tmp, "floor")
	must(writeModule(tgDir, "example.com/listusers", goVersion, typedgraphMain,
		"require github.com/typedgraph/graph v0.0.0\n\nreplace github.com/typedgraph/graph => "+root+"\n", sum))
	must(writeModule(floorDir, "example.com/listusersfloor", goVersion, floorMain, "", nil))

	fmt.Printf("%s, %s/%s, %d CPUs\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Printf("repository: %s\n\n", root)
	var tg, floor []result
	for i := range *runs {
		// Alternate the two, so that a change in machine load falls on both.
		r, err := coldBuild(floorDir, tmp)
		if err != nil {
			log.Fatalf("floor build: %v", err)
		}
		floor = append(floor, r)
		fmt.Printf("run %d floor:      %s\n", i+1, r)
		r, err = coldBuild(tgDir, tmp)
		if err != nil {
			log.Fatalf("typedgraph build: %v", err)
		}
		tg = append(tg, r)
		fmt.Printf("run %d typedgraph: %s\n", i+1, r)
	}
	t, f := median(tg), median(floor)
	fmt.Printf("\n%-26s %12s %12s %8s\n", "median of "+fmt.Sprint(*runs), "typedgraph", "floor", "ratio")
	row := func(name string, a, b float64, unit string) {
		ratio := "-"
		if b > 0 {
			ratio = fmt.Sprintf("%.2fx", a/b)
		}
		fmt.Printf("%-26s %12s %12s %8s\n", name, fmt.Sprintf("%.1f%s", a, unit), fmt.Sprintf("%.1f%s", b, unit), ratio)
	}
	row("cold build, wall", t.wall.Seconds(), f.wall.Seconds(), " s")
	row("cold build, CPU", t.cpu.Seconds(), f.cpu.Seconds(), " s")
	if t.maxRSS > 0 {
		row("cold build, peak RSS", mib(t.maxRSS), mib(f.maxRSS), " MB")
	}
	row("binary size", mib(t.size), mib(f.size), " MB")
	fmt.Printf("\nbinary size in bytes: typedgraph %d, floor %d\n", t.size, f.size)
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

func (r result) String() string {
	s := fmt.Sprintf("wall %6.1f s, CPU %6.1f s, binary %5.1f MB", r.wall.Seconds(), r.cpu.Seconds(), mib(r.size))
	if r.maxRSS > 0 {
		s += fmt.Sprintf(", peak RSS %4.0f MB", mib(r.maxRSS))
	}
	return s
}

// median returns, field by field, the median of rs (the lower middle for an even count).
func median(rs []result) result {
	pick := func(f func(result) int64) int64 {
		v := make([]int64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[(len(v)-1)/2]
	}
	return result{
		wall:   time.Duration(pick(func(r result) int64 { return int64(r.wall) })),
		cpu:    time.Duration(pick(func(r result) int64 { return int64(r.cpu) })),
		maxRSS: pick(func(r result) int64 { return r.maxRSS }),
		size:   pick(func(r result) int64 { return r.size }),
	}
}

// repoRoot returns the directory of the typedgraph module: the go.mod that go env GOMOD names from
// the current directory, which must be github.com/typedgraph/graph.
func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run me inside the typedgraph repository (no go.mod here)")
	}
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	if !bytes.Contains(data, []byte("module github.com/typedgraph/graph\n")) {
		return "", fmt.Errorf("%s is not github.com/typedgraph/graph's go.mod: run me inside the typedgraph repository", gomod)
	}
	return filepath.Dir(gomod), nil
}

func writeModule(dir, module, goVersion, mainGo, extra string, sum []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	gomod := fmt.Sprintf("module %s\n\ngo %s\n", module, goVersion)
	if extra != "" {
		gomod += "\n" + extra
	}
	files := map[string][]byte{"go.mod": []byte(gomod), "main.go": []byte(mainGo)}
	if sum != nil {
		files["go.sum"] = sum
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// coldBuild builds the program in dir with a new, empty GOCACHE and returns what it cost. The go.mod
// is restored afterwards, since -mod=mod may add the requirements it found missing.
func coldBuild(dir, tmp string) (result, error) {
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return result{}, err
	}
	defer os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644)

	cache, err := os.MkdirTemp(tmp, "gocache-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(cache)
	bin := filepath.Join(tmp, filepath.Base(dir)+".bin")

	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOCACHE="+cache, "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return result{}, fmt.Errorf("%v\n%s", err, stderr.Bytes())
	}
	st, err := os.Stat(bin)
	if err != nil {
		return result{}, err
	}
	ps := cmd.ProcessState
	return result{wall: wall, cpu: ps.UserTime() + ps.SystemTime(), maxRSS: maxRSS(ps), size: st.Size()}, nil
}
