package graphtest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/typedgraph/graph/graphtest"
)

// A test starts a Server, gets a token from its identity platform with the
// client credentials grant, and calls its Graph API with plain net/http.
func Example() {
	srv := graphtest.NewServer(graphtest.Options{Users: 250, Seed: 1})
	defer srv.Close()

	// The token endpoint lives on the authority host.
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {srv.ClientID},
		"client_secret": {srv.ClientSecret},
		"scope":         {"https://graph.microsoft.com/.default"},
	}
	res, err := http.PostForm(srv.TokenEndpoint(), form)
	if err != nil {
		panic(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	_ = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	fmt.Println("token expires in", tok.ExpiresIn)

	// Graph lives on its own host; follow @odata.nextLink to page.
	next := srv.GraphURL + "/users?$top=100&$select=id,displayName"
	users := 0
	for next != "" {
		req, _ := http.NewRequest(http.MethodGet, next, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		var page struct {
			NextLink string `json:"@odata.nextLink"`
			Value    []struct {
				ID          string `json:"id"`
				DisplayName string `json:"displayName"`
			} `json:"value"`
		}
		_ = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if users == 0 {
			fmt.Println("first user:", page.Value[0].DisplayName)
		}
		users += len(page.Value)
		next = page.NextLink
	}
	fmt.Println("users:", users)
	fmt.Println("list calls:", srv.Requests(graphtest.OpListUsers))
	fmt.Println("token calls:", srv.TokenRequests())
	// Output:
	// token expires in 3599
	// first user: Henrietta Cueva
	// users: 250
	// list calls: 3
	// token calls: 1
}

// Interceptors inject faults: here the first call is throttled with a
// Retry-After, as Graph does under load.
func ExampleServer_InterceptGraph() {
	srv := graphtest.NewServer(graphtest.Options{Users: 1})
	defer srv.Close()
	throttled := false
	srv.InterceptGraph(func(w http.ResponseWriter, r *http.Request) bool {
		if throttled {
			return false
		}
		throttled = true
		w.Header().Set("Retry-After", "3")
		srv.GraphError(w, r, http.StatusTooManyRequests, "TooManyRequests", "Too many requests.")
		return true
	})
	for range 2 {
		req, _ := http.NewRequest(http.MethodGet, srv.GraphURL+"/users/$count", nil)
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		req.Header.Set("ConsistencyLevel", "eventual")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		res.Body.Close()
		fmt.Println(res.StatusCode, res.Header.Get("Retry-After"))
	}
	// Output:
	// 429 3
	// 200
}

// Seed the directory with exactly the users a test needs.
func ExampleServer_AddUser() {
	srv := graphtest.NewServer(graphtest.Options{})
	defer srv.Close()
	id, err := srv.AddUser(map[string]any{
		"displayName":       "Ada Lovelace",
		"userPrincipalName": "ada@" + srv.Domain,
		"jobTitle":          "Analyst",
	})
	if err != nil {
		panic(err)
	}
	u, _ := srv.User("ADA@" + strings.ToUpper(srv.Domain))
	fmt.Println(u["id"] == id, u["jobTitle"])
	// Output: true Analyst
}

// Throttle chosen requests inside a $batch, as Graph throttles each one on
// its own: here the request with id "2", whose dependent then gets 424.
func ExampleServer_ThrottleBatch() {
	srv := graphtest.NewServer(graphtest.Options{Users: 1})
	defer srv.Close()
	srv.ThrottleBatch(func(id string, r *http.Request) (time.Duration, bool) {
		return 2 * time.Second, id == "2"
	})
	body := `{"requests":[
		{"id":"1","method":"GET","url":"/users"},
		{"id":"2","method":"GET","url":"/users/$count","headers":{"ConsistencyLevel":"eventual"}},
		{"id":"3","method":"GET","url":"/users","dependsOn":["2"]}]}`
	req, _ := http.NewRequest(http.MethodPost, srv.GraphURL+"/$batch", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var answer struct {
		Responses []struct {
			ID      string            `json:"id"`
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
		} `json:"responses"`
	}
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil {
		panic(err)
	}
	sort.Slice(answer.Responses, func(i, j int) bool { return answer.Responses[i].ID < answer.Responses[j].ID })
	for _, r := range answer.Responses {
		fmt.Println(strings.TrimSpace(fmt.Sprint(r.ID, " ", r.Status, " ", r.Headers["Retry-After"])))
	}
	fmt.Println(srv.GraphRequests(), "HTTP request")
	// Output:
	// 1 200
	// 2 429 2
	// 3 424
	// 1 HTTP request
}

// Options.Roles narrows the permissions of the tokens a Server issues, so a
// test can see how a client handles Graph's 403 Authorization_RequestDenied.
func ExampleOptions_roles() {
	srv := graphtest.NewServer(graphtest.Options{Users: 3, Roles: []string{"User.Read.All"}})
	defer srv.Close()
	call := func(what, method, path, body string) {
		req, _ := http.NewRequest(method, srv.GraphURL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.NewDecoder(res.Body).Decode(&e)
		res.Body.Close()
		fmt.Println(strings.TrimSpace(fmt.Sprint(what, ": ", res.StatusCode, " ", e.Error.Code)))
	}
	call("list users", http.MethodGet, "/users?$select=id", "")
	call("update a user", http.MethodPatch, "/users/"+srv.UserIDs()[0], `{"city":"Oslo"}`)
	// Output:
	// list users: 200
	// update a user: 403 Authorization_RequestDenied
}
