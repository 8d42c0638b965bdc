package graphtest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/typedgraph/graph/internal/uuid"
)

var (
	givenNames = []string{
		"Adele", "Alex", "Allan", "Christie", "Debra", "Diego", "Emily", "Enrico", "Grady",
		"Henrietta", "Irvin", "Isaiah", "Johanna", "Joni", "Lee", "Lidia", "Lynne", "Megan",
		"Miriam", "Nestor", "Patti", "Pradeep", "Sanjay", "Zrinka", "Amara", "Bjorn", "Chen",
		"Dagny", "Esi", "Farid", "Goran", "Hana", "Ines", "Jamal", "Kofi", "Leila",
	}
	surnames = []string{
		"Vance", "Wilber", "Deyoung", "Cline", "Berger", "Siciliani", "Braun", "Bianchi",
		"Archie", "Cueva", "Sampson", "Lee", "Lauer", "Sherman", "Gu", "Holloway", "Valdez",
		"Bowen", "Graham", "Wilke", "Fernandez", "Gupta", "Shah", "Makovac", "Okafor",
		"Lindqvist", "Wei", "Nakamura", "Mensah", "Haddad", "Petrovic", "Novak", "Duarte",
	}
	jobTitles = []string{
		"Engineer", "Senior Engineer", "Product Manager", "Designer", "Sales Representative",
		"Marketing Manager", "Accountant", "Support Engineer", "Director", "Attorney",
	}
	departments = []string{"Engineering", "Sales", "Marketing", "Finance", "Legal", "Operations", "Support"}
	offices     = []string{"12/1110", "18/2111", "20/1101", "131/1104", "19/3123", "Paris", "Nairobi", "Osaka"}
	cities      = []string{"Seattle", "Redmond", "Paris", "Nairobi", "Osaka", "Berlin", "Lagos", "Lima"}
	countries   = []string{"United States", "United States", "France", "Kenya", "Japan", "Germany", "Nigeria", "Peru"}
	usage       = []string{"US", "US", "FR", "KE", "JP", "DE", "NG", "PE"}
	languages   = []string{"en-US", "en-US", "fr-FR", "en-GB", "ja-JP", "de-DE", "en-US", "es-PE"}
)

// seededUUID derives a UUID from seed and i, so seeded ids are stable.
func seededUUID(seed int64, i int) string {
	r := rand.New(rand.NewPCG(uint64(seed), uint64(i)^0x9e3779b97f4a7c15))
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], r.Uint64())
	binary.BigEndian.PutUint64(b[8:], r.Uint64())
	return uuid.Format(b)
}

// seed adds n generated users. Every 20th user is a guest whose
// userPrincipalName contains #EXT#, like invited users in a real tenant.
func (s *Server) seed(n int, seed int64) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	base := time.Date(2024, 1, 2, 9, 0, 0, 0, time.UTC)
	d := s.dir
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users = make([]*objRec, 0, n)
	for i := range n {
		gn := givenNames[r.IntN(len(givenNames))]
		sn := surnames[r.IntN(len(surnames))]
		loc := r.IntN(len(cities))
		nick := strings.ToLower(gn + "." + sn)
		if d.byUPN[nick+"@"+strings.ToLower(s.Domain)] != nil || i >= len(givenNames)*len(surnames)/2 {
			nick = fmt.Sprintf("%s%d", nick, i)
		}
		upn := nick + "@" + s.Domain
		mail := any(upn)
		userType := "Member"
		if i%20 == 19 {
			ext := nick + "_fabrikam.example"
			upn = ext + "#EXT#@" + s.Domain
			mail = nick + "@fabrikam.example"
			userType = "Guest"
		}
		var mobile any
		if r.IntN(3) > 0 {
			mobile = fmt.Sprintf("+1 425 555 %04d", r.IntN(10000))
		}
		phones := []any{}
		if r.IntN(4) > 0 {
			phones = append(phones, fmt.Sprintf("+1 425 555 %04d", r.IntN(10000)))
		}
		created := base.Add(time.Duration(i) * 37 * time.Minute)
		props := map[string]any{
			"id":                seededUUID(seed, i),
			"accountEnabled":    r.IntN(10) > 0,
			"businessPhones":    phones,
			"city":              cities[loc],
			"country":           countries[loc],
			"createdDateTime":   created.Format(time.RFC3339),
			"department":        departments[r.IntN(len(departments))],
			"displayName":       gn + " " + sn,
			"employeeId":        fmt.Sprintf("E%06d", i+1),
			"givenName":         gn,
			"jobTitle":          jobTitles[r.IntN(len(jobTitles))],
			"mail":              mail,
			"mailNickname":      nick,
			"mobilePhone":       mobile,
			"officeLocation":    offices[r.IntN(len(offices))],
			"preferredLanguage": languages[loc],
			"surname":           sn,
			"usageLocation":     usage[loc],
			"userPrincipalName": upn,
			"userType":          userType,
		}
		d.insert(props["id"].(string), props)
	}
}

// AddUser stores a user in the directory and returns its id. user holds
// Graph's JSON property names; it may be a map[string]any, a struct with JSON
// tags, or a json.RawMessage. A missing id is generated. AddUser returns an
// error if the value is not a JSON object, names an unknown property or a
// value of the wrong type, or reuses an id or userPrincipalName. No
// properties are required, unlike POST /users.
func (s *Server) AddUser(user any) (string, error) {
	props, err := toProps(user)
	if err != nil {
		return "", err
	}
	for k, v := range props {
		if !userType.valid(k, v) {
			return "", fmt.Errorf("graphtest: AddUser: invalid property %q", k)
		}
		if v == nil {
			delete(props, k)
		}
	}
	id, _ := props["id"].(string)
	if id == "" {
		id = newUUID()
		props["id"] = id
	}
	d := s.dir
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byID[strings.ToLower(id)] != nil {
		return "", fmt.Errorf("graphtest: AddUser: id %q already exists", id)
	}
	if upn := upnOf(props); upn != "" && d.byUPN[upn] != nil {
		return "", fmt.Errorf("graphtest: AddUser: userPrincipalName %q already exists", upn)
	}
	d.insert(id, props)
	return id, nil
}

// toProps normalises a JSON-shaped value to a fresh map.
func toProps(v any) (map[string]any, error) {
	if b, ok := v.([]byte); ok {
		v = rawJSON(b)
	}
	m, err := cloneJSON(v)
	if err != nil || m == nil {
		return nil, errors.New("graphtest: value is not a JSON object")
	}
	return m, nil
}

// rawJSON lets a []byte be marshalled as the JSON it holds.
type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

// User returns a copy of the stored user with the given object id or
// userPrincipalName (case-insensitive), with every property it holds, and
// whether it exists.
func (s *Server) User(key string) (map[string]any, bool) {
	d := s.dir
	d.mu.RLock()
	u := d.lookup(key)
	var props map[string]any
	if u != nil {
		props = u.props
	}
	d.mu.RUnlock()
	if props == nil {
		return nil, false
	}
	m, err := cloneJSON(props)
	return m, err == nil
}

// UserIDs returns the ids of all users in listing order.
func (s *Server) UserIDs() []string {
	d := s.dir
	d.mu.RLock()
	defer d.mu.RUnlock()
	ids := make([]string, len(d.users))
	for i, u := range d.users {
		ids[i] = u.id
	}
	return ids
}

// UserCount returns how many users the directory holds.
func (s *Server) UserCount() int {
	d := s.dir
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.users)
}

// AddGroup stores a group (or, when it carries an "@odata.type" such as
// "#microsoft.graph.directoryRole", another directory object) that users can
// be members of, and returns its id. A missing id is generated. A group is
// served by GET /groups and /groups/{id} like one created by POST /groups;
// its properties are not checked, so a test can store any shape.
func (s *Server) AddGroup(group any) (string, error) {
	props, err := toProps(group)
	if err != nil {
		return "", err
	}
	if _, ok := props["@odata.type"]; !ok {
		props["@odata.type"] = "#microsoft.graph.group"
	}
	id, _ := props["id"].(string)
	if id == "" {
		id = newUUID()
		props["id"] = id
	}
	d := s.dir
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.objects[strings.ToLower(id)] != nil || d.byID[strings.ToLower(id)] != nil {
		return "", fmt.Errorf("graphtest: AddGroup: id %q already exists", id)
	}
	d.addObject(id, props)
	return id, nil
}

// AddMember makes the user userKey (id or userPrincipalName), or the group
// with that id, a member of the object groupID added with AddGroup. Adding
// twice is a no-op.
func (s *Server) AddMember(groupID, userKey string) error {
	d := s.dir
	d.mu.Lock()
	defer d.mu.Unlock()
	memberID := ""
	if u := d.lookup(userKey); u != nil {
		memberID = u.id
	} else if g := d.groupByID[strings.ToLower(userKey)]; g != nil {
		memberID = g.id
	} else {
		return fmt.Errorf("graphtest: AddMember: no user or group %q", userKey)
	}
	g := d.objects[strings.ToLower(groupID)]
	if g == nil {
		return fmt.Errorf("graphtest: AddMember: no group %q", groupID)
	}
	d.addMember(g["id"].(string), memberID)
	return nil
}

// GroupIDs returns the ids of all groups in listing order.
func (s *Server) GroupIDs() []string {
	d := s.dir
	d.mu.RLock()
	defer d.mu.RUnlock()
	ids := make([]string, len(d.groups))
	for i, g := range d.groups {
		ids[i] = g.id
	}
	return ids
}

// Group returns a copy of the properties of the group id, and whether it
// exists.
func (s *Server) Group(id string) (map[string]any, bool) {
	d := s.dir
	d.mu.RLock()
	defer d.mu.RUnlock()
	g := d.groupByID[strings.ToLower(id)]
	if g == nil {
		return nil, false
	}
	props, err := cloneJSON(g.props)
	return props, err == nil
}

// Members returns the ids of the direct members of the group id, in the
// order they were added.
func (s *Server) Members(groupID string) []string {
	d := s.dir
	d.mu.RLock()
	defer d.mu.RUnlock()
	return slices.Clone(d.members[strings.ToLower(groupID)])
}

// Owners returns the ids of the owners of the group id, set by
// owners@odata.bind when it was created, in the order they were sent.
func (s *Server) Owners(groupID string) []string {
	d := s.dir
	d.mu.RLock()
	defer d.mu.RUnlock()
	return slices.Clone(d.owners[strings.ToLower(groupID)])
}
