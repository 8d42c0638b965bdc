package specslice_test

import (
	"fmt"
	"log"

	"github.com/typedgraph/graph/internal/specslice"
)

// Microsoft's shape: PowerShell-style additionalProperties, a 2XX reply, Microsoft's operationId
// and description.
const microsoftDoc = `openapi: 3.0.1
info:
  title: Users
  version: v1.0
servers:
  - url: https://graph.microsoft.com/v1.0/
paths:
  /users/{user-id}:
    get:
      summary: Get user
      description: A long text in Microsoft's words.
      operationId: user_GetUser
      parameters:
        - name: user-id
          in: path
          required: true
          style: simple
          schema:
            type: string
      responses:
        2XX:
          description: Retrieved entity
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/microsoft.graph.user'
components:
  schemas:
    microsoft.graph.user:
      title: user
      type: object
      properties:
        displayName:
          type: string
          nullable: true
      additionalProperties:
        type: object
`

func ExampleSlice() {
	res, err := specslice.Slice([]byte(microsoftDoc), specslice.Options{Paths: []string{"/users/*"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(res.YAML))
	fmt.Println(res.Operations)
	// Output:
	// openapi: 3.0.1
	// info:
	//   title: Users
	//   version: v1.0
	// servers:
	// - url: https://graph.microsoft.com/v1.0
	// paths:
	//   /users/{user-id}:
	//     parameters:
	//     - $ref: '#/components/parameters/user-id'
	//     get:
	//       summary: Get user
	//       operationId: getUser
	//       responses:
	//         '200':
	//           description: OK
	//           content:
	//             application/json:
	//               schema:
	//                 $ref: '#/components/schemas/microsoft.graph.user'
	// components:
	//   schemas:
	//     microsoft.graph.user:
	//       title: user
	//       type: object
	//       properties:
	//         displayName:
	//           type: string
	//           nullable: true
	//   parameters:
	//     user-id:
	//       name: user-id
	//       in: path
	//       required: true
	//       style: simple
	//       schema:
	//         type: string
	// [GET /users/{user-id} getUser]
}

func ExampleMerge() {
	existing := `openapi: 3.0.3
info:
  title: Ours
  version: v1.0
paths:
  # Hand-written entries stay as they are.
  /me:
    get:
      operationId: getMe
      responses:
        '200': {description: OK}
`
	res, err := specslice.Slice([]byte(microsoftDoc), specslice.Options{Paths: []string{"/users/{user-id}"}})
	if err != nil {
		log.Fatal(err)
	}
	merged, conflicts, err := specslice.Merge([]byte(existing), res.YAML)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(merged[:len(existing)]) == existing, " ", len(conflicts), "\n")
	// Output:
	// true 0
}
