package main

// The help texts, laid out like a manual page. A command's OPTIONS section is generated from its flag
// set after the text, so the flags' own descriptions stay the single source.

const topHelp = `NAME
    graph - Microsoft Graph users and groups from the shell, and a local Graph emulator

SYNOPSIS
    graph users list   [--filter EXPR] [--search EXPR] [--select PROPS] [--orderby PROPS]
                       [--top N] [--all] [--count] [--eventual]
    graph users get    ID|UPN [--select PROPS]
    graph users create --input FILE|-
    graph users update ID|UPN --input FILE|-
    graph users delete ID|UPN
    graph users count  [--filter EXPR] [--search EXPR] [--eventual]
    graph users delta  --state FILE [--select PROPS] [--full] [--minimal]
    graph groups list|get|create|update|delete|members|add-member|remove-member|delta ...
    graph batch        --input FILE|-
    graph token
    graph emulate      [--addr HOST:PORT] [--users N] [--groups N] [--token-lifetime DURATION]
                       [--tls [--cert-file FILE]] [--client-cert FILE] [--roles LIST] [--allow-remote] [--quiet]
                       [--lag-reads N] [--lag DURATION]
    graph help [COMMAND]
    graph version      (or graph --version)

    Every command except emulate also takes the connection options below, before or after its
    words, and every command takes --json[=false].

DESCRIPTION
    graph calls Microsoft Graph v1.0 as an application, with the OAuth 2.0 client-credentials grant,
    through the typedgraph SDK. The app needs the application permission User.Read.All to read users
    and User.ReadWrite.All to change them; Group.Read.All to read groups, Group.ReadWrite.All to
    change them and GroupMember.ReadWrite.All to change their members.

    With nothing configured at all, graph starts an embedded emulator holding sample users and
    groups, says so on standard error, and runs the command against it: every command works on a
    fresh machine. A partial configuration (an endpoint or a tenant without credentials, say) is
    an error naming what is missing. graph emulate serves the same emulator for other programs.

    Output is an aligned table, cut to the terminal's width ($COLUMNS when set), when standard
    output is a terminal, and JSON, one object per line, when it is not or with --json;
    --json=false forces the table. Messages go to standard error. Ctrl-C stops a command and its
    output at once.

CONNECTION OPTIONS
    --tenant ID                directory (tenant) id or verified domain      [AZURE_TENANT_ID]
    --client-id ID             application (client) id                       [AZURE_CLIENT_ID]
    --client-secret-file FILE  file holding the client secret                [AZURE_CLIENT_SECRET]
    --certificate FILE         PEM certificate and unencrypted private key   [AZURE_CLIENT_CERTIFICATE_PATH]
    --cloud NAME               global, usgovl4, usgovl5 or china             [TYPEDGRAPH_CLOUD]
    --authority-host URL       identity platform URL, overriding the cloud's [AZURE_AUTHORITY_HOST]
    --base-url URL             Graph base URL, overriding the cloud's        [TYPEDGRAPH_BASE_URL]
    --emulator                 use the embedded emulator even if credentials are configured
    --timeout DURATION         give up after DURATION, e.g. 30s (default: no limit)

    A flag beats its environment variable. A secret is never taken as a flag value, where other
    users of the machine could read it in the process list: put it in AZURE_CLIENT_SECRET or in a
    file. A secret in the environment beats a certificate in the environment. Programs read the
    same variables with graph.ConfigFromEnv.

ENVIRONMENT
    AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH,
    AZURE_AUTHORITY_HOST
        as read by the Azure SDKs' environment credential; see CONNECTION OPTIONS.
    AZURE_CLIENT_CERTIFICATE_PASSWORD
        accepted for compatibility; encrypted keys are refused, store the key unencrypted.
    AZURE_CLIENT_SEND_CERTIFICATE_CHAIN
        true to send the certificate chain (x5c), for subject name and issuer authentication.
    TYPEDGRAPH_CLOUD, TYPEDGRAPH_BASE_URL
        see --cloud and --base-url. Without a cloud named, an authority host of a national
        cloud (login.microsoftonline.us, login.chinacloudapi.cn) picks that cloud.
    COLUMNS
        the width tables are cut to; by default the terminal's.

EXIT STATUS
    0   success
    1   Graph or the identity platform refused or failed the request; the message carries
        Graph's request-id or the identity platform's trace id for a support case
    2   usage error: unknown command or option, bad argument, unreadable input or an
        incomplete configuration
    130 interrupted (Ctrl-C); 143 for SIGTERM

EXAMPLES
    go run ./cmd/graph users list
    graph users list --select id,displayName,mail --orderby displayName --top 10
    graph users list --filter "startsWith(displayName,'Hana')" --count
    graph users list --filter "endsWith(mail,'@fabrikam.example')" --eventual
    graph users list --all > users.jsonl
    graph users get hana.berger@contoso.example --select displayName,accountEnabled
    graph users create --input new-user.json
    echo '{"jobTitle":"Engineer","officeLocation":null}' | graph users update hana.berger@contoso.example --input -
    graph groups list --filter "securityEnabled eq true" --select id,displayName
    graph groups add-member GROUP-ID USER-ID
    graph batch --input requests.jsonl
    graph token
    graph emulate --addr 127.0.0.1:8080 --tls

    Run graph help COMMAND (or graph COMMAND --help) for the options of one command.
`

const usersHelp = `NAME
    graph users - list, read, create, change, delete and count the users of the directory

SYNOPSIS
    graph users list   [--filter EXPR] [--search EXPR] [--select PROPS] [--orderby PROPS]
                       [--top N] [--all] [--count] [--eventual]
    graph users get    ID|UPN [--select PROPS]
    graph users create --input FILE|-
    graph users update ID|UPN --input FILE|-
    graph users delete ID|UPN
    graph users count  [--filter EXPR] [--search EXPR] [--eventual]
    graph users delta  --state FILE [--select PROPS] [--full] [--minimal]

    Run graph users COMMAND --help for the options of one command, graph --help for the
    connection options.
`

const usersListHelp = `NAME
    graph users list - list users

SYNOPSIS
    graph users list [--filter EXPR] [--search EXPR] [--select PROPS] [--orderby PROPS]
                     [--top N] [--all] [--count] [--eventual] [connection options] [--json[=false]]

DESCRIPTION
    Lists the users that the query selects: one page (Graph's page size is 100 unless --top sets
    it), or every page with --all. When more pages remain, standard error says so.

    The table shows id, displayName, userPrincipalName and jobTitle, or the --select properties in
    their order; it is printed once the last page has arrived, so that its columns line up. JSON
    output is one user object per line, streamed as pages arrive.

    With --all, the number of users fetched so far is shown on standard error when it is a
    terminal. --count reports how many users match in all, on standard error.

    $search, $count and advanced queries (for example endsWith, ne or not in $filter, or
    $orderby with $filter) need the header ConsistencyLevel: eventual, and advanced queries
    also $count=true; --search and --count send what they need, and --eventual sends both for
    the rest (the count Graph then returns is reported only with --count).
`

const usersGetHelp = `NAME
    graph users get - show one user

SYNOPSIS
    graph users get ID|UPN [--select PROPS] [connection options] [--json[=false]]

DESCRIPTION
    Shows the user with the object id or userPrincipalName ID|UPN: the properties Graph returns by
    default, or those named by --select. A table lists one property per line.
`

const usersCreateHelp = `NAME
    graph users create - create a user

SYNOPSIS
    graph users create --input FILE|- [connection options]

DESCRIPTION
    Creates a user from a JSON object in FILE, or on standard input with -, and shows the user
    Graph created. Graph requires accountEnabled, displayName, mailNickname, userPrincipalName and
    passwordProfile, for example:

        {"accountEnabled": true, "displayName": "Adele Vance", "mailNickname": "adele",
         "userPrincipalName": "adele@contoso.example",
         "passwordProfile": {"password": "...", "forceChangePasswordNextSignIn": true}}

    The object is checked against the typed model before it is sent: an unknown property at any
    depth (with the nearest known name suggested) or a value of the wrong type is a usage error.
    The output is the created user, as JSON unless standard output is a terminal, or as --json
    says.
`

const usersUpdateHelp = `NAME
    graph users update - change properties of a user

SYNOPSIS
    graph users update ID|UPN --input FILE|- [connection options]

DESCRIPTION
    Sends the JSON object in FILE, or on standard input with -, as a PATCH of the user ID|UPN.
    Properties left out are unchanged; a property set to null is cleared. On a terminal a
    confirmation is printed; otherwise nothing, as Graph returns no body.
`

const usersDeleteHelp = `NAME
    graph users delete - delete a user

SYNOPSIS
    graph users delete ID|UPN [connection options] [--json[=false]]

DESCRIPTION
    Deletes the user ID|UPN. Graph keeps deleted users for 30 days, in which they can be restored.
    With a table, a confirmation is printed; JSON output prints nothing.
`

const usersCountHelp = `NAME
    graph users count - count users

SYNOPSIS
    graph users count [--filter EXPR] [--search EXPR] [--eventual] [connection options]

DESCRIPTION
    Prints the number of users that the query selects (GET /users/$count), as a bare number in
    every output mode, which is also valid JSON. The count is eventually consistent: a user
    created a moment ago may not be counted yet.
`

const usersDeltaHelp = `NAME
    graph users delta - print what changed among users since the last round

SYNOPSIS
    graph users delta --state FILE [--select PROPS] [--full] [--minimal] [connection options]
                      [--json[=false]]

DESCRIPTION
    Runs one round of a delta sync (GET /users/delta()). The first round, with no FILE yet, prints
    every user; each later round prints only the users created, changed or deleted since the round
    that wrote FILE. Output is JSON, one change per line (a table of change, id and reason on a
    terminal or with --json=false):

        {"change":"upsert","id":"...","user":{"id":"...","displayName":"...",...}}
        {"change":"removed","id":"...","reason":"changed"}

    An upsert carries the properties Graph sent (with --minimal, only those that changed). A removal
    says "changed" for a user in the deleted items, still restorable, and "deleted" for one gone
    for good.

    FILE is replaced once the round has completed, through a temporary file renamed over it, so an
    interrupted round (Ctrl-C, --timeout, a failed request) leaves the previous state intact and
    the next run prints its changes again. Graph keeps a state for 7 days; an older one fails with
    "a full resync is needed": run again with --full.
`

const tokenHelp = `NAME
    graph token - acquire an access token and describe it

SYNOPSIS
    graph token [connection options] [--json[=false]]

DESCRIPTION
    Acquires an app-only access token for Graph with the configured credentials and prints when it
    expires and the claims that say whom it is for: tenant, application id and name, audience and
    the application permissions (roles) granted. The token itself is never printed.

    Use it to check a configuration: a missing role here explains a 403 from Graph.
`

const emulateHelp = `NAME
    graph emulate - serve a fake identity platform and Graph for any program to use

SYNOPSIS
    graph emulate [--addr HOST:PORT] [--users N] [--groups N] [--token-lifetime DURATION]
                  [--tls [--cert-file FILE]] [--client-cert FILE] [--roles LIST] [--allow-remote]
                  [--quiet] [--lag-reads N] [--lag DURATION] [--json[=false]]

DESCRIPTION
    Serves typedgraph's fake of the Microsoft identity platform and of the Graph v1.0 users and
    groups API on
    one address: the token endpoint at /TENANT/oauth2/v2.0/token and Graph under /v1.0. It speaks
    the real wire formats (client credentials with a secret, or with a certificate given by
    --client-cert; signed JWT access tokens; OData query options, @odata.nextLink and
    @odata.count; Graph's error bodies and headers), so clients in any language can be developed
    and tested against it without a tenant.

    It prints the authority host, the Graph base URL and the tenant and client credentials to use,
    then serves until interrupted (Ctrl-C), logging each request's method, path and query
    (decoded, $top rather than %24top), status and duration on standard error (never its headers
    or body) unless --quiet is given. The directory lives in memory, seeded with --users generated
    users and --groups groups of them, the same ones on every run.

    The settings are printed the same way whether or not standard output is a terminal, as a
    shell script: export lines for the variables graph and the Azure SDKs read, everything else
    a comment. So graph emulate > emulator.env & followed by . ./emulator.env configures a
    shell. --json prints them as one JSON object instead.

    In the background, run the built binary rather than go run: stopping go run alone (kill PID)
    leaves the program it started serving the port (on Linux, graph emulate stops with such a
    parent; elsewhere stop the process group). A busy address is reported with that hint;
    --addr 127.0.0.1:0 picks a free port.

    With --tls it serves https with a self-signed certificate, written as PEM to --cert-file (a new
    file; by default one in a new private directory) and removed on exit, for clients that insist
    on https (for example the Azure SDKs' authority host).

    Its tokens carry every application permission it serves (Directory.ReadWrite.All,
    Group.ReadWrite.All, GroupMember.ReadWrite.All, User.ReadWrite.All); --roles narrows them, and
    Graph's 403 Authorization_RequestDenied answers what they do not allow. Keep --token-lifetime
    well above 5m for Microsoft's SDKs, which renew a token within 5 minutes of its expiry.

    Microsoft Entra is eventually consistent, and the emulator can be too: with --lag-reads N, the
    first N requests naming an object just created get Graph's 404 (or, for a reference to it, its
    400 "does not exist or one of its queried reference-property objects are not present"), and
    reads of an object just changed return its old properties; --lag DURATION does the same for a
    time, so that clients can be tested for how they handle replication lag.

    It listens only on loopback addresses unless --allow-remote is given, because anyone who can
    reach it can use its well-known credentials. typedgraph clients accept plain http only on
    loopback; serve beyond it with --tls.
`

const groupsHelp = `NAME
    graph groups - list, read, create, change and delete groups, and manage their members

SYNOPSIS
    graph groups list          [--filter EXPR] [--search EXPR] [--select PROPS] [--orderby PROPS]
                               [--top N] [--all] [--count] [--eventual]
    graph groups get           ID [--select PROPS]
    graph groups create        --input FILE|- [--owner ID]... [--member ID]...
    graph groups update        ID --input FILE|-
    graph groups delete        ID
    graph groups members       ID [--select PROPS] [--top N] [--all] [--count]
    graph groups add-member    ID MEMBER-ID
    graph groups remove-member ID MEMBER-ID
    graph groups delta         --state FILE [--select PROPS] [--full] [--minimal]

    Run graph groups COMMAND --help for the options of one command, graph --help for the
    connection options.
`

const groupsDeltaHelp = `NAME
    graph groups delta - print what changed among groups and their members since the last round

SYNOPSIS
    graph groups delta --state FILE [--select PROPS] [--full] [--minimal] [connection options]
                       [--json[=false]]

DESCRIPTION
    Runs one round of a delta sync of groups (GET /groups/delta()), like graph users delta: the
    first round prints every group with its members, later rounds what changed since FILE was
    written, one change per line:

        {"change":"upsert","id":"...","group":{...},"members":[{"change":"added","id":"...","@odata.type":"#microsoft.graph.user"}]}
        {"change":"removed","id":"...","reason":"deleted"}

    A member that left shows as {"change":"removed","id":"...","reason":"deleted"} in members.
    Members are tracked unless --select leaves out "members". FILE is replaced only once the round
    has completed.
`

const groupsListHelp = `NAME
    graph groups list - list groups

SYNOPSIS
    graph groups list [--filter EXPR] [--search EXPR] [--select PROPS] [--orderby PROPS]
                      [--top N] [--all] [--count] [--eventual] [connection options] [--json[=false]]

DESCRIPTION
    Lists the groups that the query selects, like graph users list: one page (Graph's page size
    is 100 unless --top sets it), or every page with --all, saying on standard error when more
    pages remain.

    The table shows id, displayName, mailNickname, groupTypes and securityEnabled, or the --select
    properties in their order. groupTypes holds Unified for a Microsoft 365 group; a security group
    has securityEnabled true. --count reports how many groups match, on standard error.

    $search, $count and advanced queries need the header ConsistencyLevel: eventual, advanced
    queries also $count=true; --search and --count send what they need, --eventual sends both
    for the rest.
`

const groupsGetHelp = `NAME
    graph groups get - show one group

SYNOPSIS
    graph groups get ID [--select PROPS] [connection options] [--json[=false]]

DESCRIPTION
    Shows the group with the object id ID: the properties Graph returns by default, or those
    named by --select (some, such as unseenCount, only when selected). A table lists one property
    per line.
`

const groupsCreateHelp = `NAME
    graph groups create - create a group

SYNOPSIS
    graph groups create --input FILE|- [--owner ID]... [--member ID]... [connection options]

DESCRIPTION
    Creates a group from a JSON object in FILE, or on standard input with -, and shows the group
    Graph created. Graph requires displayName, mailEnabled, mailNickname and securityEnabled. A
    security group:

        {"displayName": "Operations", "mailEnabled": false, "mailNickname": "operations",
         "securityEnabled": true}

    A Microsoft 365 group adds "groupTypes": ["Unified"] with mailEnabled true. The object is
    checked before it is sent, as with graph users create.

    --owner and --member set the group's owners and members in the same request
    (owners@odata.bind, members@odata.bind). A group the app creates without an owner has none.
    Graph takes at most 20 owners and members together, and refuses the whole request (400) beyond
    that or for an id that names nothing; add more with graph groups add-member.
`

const groupsUpdateHelp = `NAME
    graph groups update - change properties of a group

SYNOPSIS
    graph groups update ID --input FILE|- [connection options] [--json[=false]]

DESCRIPTION
    Sends the JSON object in FILE, or on standard input with -, as a PATCH of the group ID.
    Properties left out are unchanged; a property set to null is cleared. On a terminal a
    confirmation is printed; otherwise nothing, as Graph returns no body.
`

const groupsDeleteHelp = `NAME
    graph groups delete - delete a group

SYNOPSIS
    graph groups delete ID [connection options] [--json[=false]]

DESCRIPTION
    Deletes the group ID. Graph keeps a deleted Microsoft 365 group for 30 days, in which it can
    be restored; security groups are deleted at once. With a table, a confirmation is printed;
    JSON output prints nothing.
`

const groupsMembersHelp = `NAME
    graph groups members - list the direct members of a group

SYNOPSIS
    graph groups members ID [--select PROPS] [--top N] [--all] [--count] [connection options]
                         [--json[=false]]

DESCRIPTION
    Lists the users, groups, devices, service principals and contacts that are direct members of
    the group ID: one page, or every page with --all. Each member comes with its @odata.type
    (such as #microsoft.graph.user) and the properties Graph sends for its kind; --select picks
    them and names the table's columns (default id, @odata.type and displayName), e.g.
    --select id,displayName,mail. --count reports how many members the group has.
`

const groupsAddMemberHelp = `NAME
    graph groups add-member - add a member to a group

SYNOPSIS
    graph groups add-member ID MEMBER-ID [--if-absent] [connection options] [--json[=false]]

DESCRIPTION
    Makes the directory object MEMBER-ID (a user, a group, a device, ...) a member of the group
    ID, by POST /groups/ID/members/$ref. Graph refuses (400) a member that is already there;
    with --if-absent that counts as success, so a script may run the step twice. With a table, a
    confirmation is printed; JSON output prints nothing.
`

const groupsRemoveMemberHelp = `NAME
    graph groups remove-member - remove a member from a group

SYNOPSIS
    graph groups remove-member ID MEMBER-ID [--if-present] [connection options] [--json[=false]]

DESCRIPTION
    Removes the directory object MEMBER-ID from the members of the group ID, by DELETE
    /groups/ID/members/MEMBER-ID/$ref. Graph answers 404 when it is not a member; with
    --if-present that counts as success (a 404 about the group itself stays an error). With a
    table, a confirmation is printed; JSON output prints nothing.
`

const versionHelp = `NAME
    graph version - print graph's version

SYNOPSIS
    graph version [--json]
    graph --version

DESCRIPTION
    Prints the version of the module graph was built from (the tag for go install ...@VERSION, a
    pseudo-version or (devel) for a build in a checkout, with its commit), the Go version and the
    platform. With --json, the same as one JSON object.
`
