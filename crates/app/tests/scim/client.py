"""R33 end to end: a real SCIM client (PyPI's scim2-client, on scim2-models and httpx2)
provisions an entity's staff logins at /scim/v2 with a provisioning credential's token.

Run by crates/app/tests/scim.rs, which starts the server and passes, as environment:
SCIM_BASE (…/scim/v2), SCIM_TOKEN (the bearer), SCIM_HIDDEN (ids the credential must not
see: the entity's administrator and entity account, another entity's staff login, comma
separated), SCIM_MOBILE_BASE (8 digits; the script's Users get mobiles from it). Prints one
line a step and exits non-zero at the first failure.
"""

import os
import sys
import warnings

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import PatchOp, PatchOperation, SCIMException, SearchRequest

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
EXT = "urn:ietf:params:scim:schemas:extension:entity-account:2.0:User"

base = os.environ["SCIM_BASE"]
token = os.environ["SCIM_TOKEN"]
hidden = [h for h in os.environ.get("SCIM_HIDDEN", "").split(",") if h]
mobile_base = int(os.environ.get("SCIM_MOBILE_BASE", "66330000"))

warnings.simplefilter("ignore", DeprecationWarning)
http = Client(base_url=base, headers={"Authorization": f"Bearer {token}"})
scim = SyncSCIMClient(http)


def step(what):
    print(f"scim: {what}", flush=True)


def check(cond, what):
    if not cond:
        print(f"scim: FAILED: {what}", flush=True)
        sys.exit(1)


def scim_error(fn, *args, **kwargs):
    """The SCIM error a call raises (status, scimType, detail)."""
    try:
        fn(*args, **kwargs)
    except SCIMException as exc:
        e = exc.to_error()
        return int(e.status), e.scim_type, e.detail
    check(False, f"{fn.__name__} should have failed")


def raw(method, path, **kwargs):
    headers = {"Content-Type": "application/scim+json", **kwargs.pop("headers", {})}
    return http.request(method, path, headers=headers, **kwargs)


# -- discovery -----------------------------------------------------------------------------
step("discover ServiceProviderConfig, Schemas, ResourceTypes")
scim.discover()
config = scim.service_provider_config
check(config.patch.supported and config.filter.supported and config.etag.supported, "features announced")
check(not config.change_password.supported and not config.bulk.supported, "no password change, no bulk")
User = scim.get_resource_model("User")
check(User is not None, "a User model from the server's schemas")
schemas = {s["id"]: s for s in raw("GET", "/Schemas").json()["Resources"]}
ext_attrs = {a["name"]: a for a in schemas[EXT]["attributes"]}
check(ext_attrs["idDocumentNumber"]["returned"] == "never", "the identity document is never returned")
check(ext_attrs["idDocumentNumber"]["mutability"] == "writeOnly", "and write-only")
check(raw("GET", f"/Schemas/{EXT}").status_code == 200, "one schema by id")
check(raw("GET", "/ResourceTypes/User").json()["endpoint"] == "/Users", "the User resource type")
check(raw("GET", "/ResourceTypes/Group").status_code == 404, "no Groups")
Ext = next(e for e in User.get_extension_models().values())


def new_user(i, name, external_id=None):
    u = User(
        user_name=f"hr-chosen-{i}",
        name={"formatted": name},
        phone_numbers=[{"value": f"+853{mobile_base + i}", "type": "mobile"}],
    )
    if external_id:
        u.external_id = external_id
    u[Ext] = Ext(id_document_type="passport", id_document_number=f"P{5500000 + i}")
    return u


# -- create --------------------------------------------------------------------------------
step("create Users")
created = []
for i, (name, ext) in enumerate(
    [("Chan Tai Man", "HR-001"), ("Wong Siu Ming", "HR-002"), ("Lei Ka Chon", "HR-003"), ("Ho Weng Ian", None)]
):
    u = scim.create(new_user(i, name, ext))
    check(u.id and u.name.formatted == name, f"created {name}")
    check(u.user_name == u.id, "userName is the login id until the person activates (R11)")
    check(u.meta.version and u.meta.version.startswith('W/"'), "a weak version")
    check(u.meta.location.endswith(f"/Users/{u.id}"), "its location")
    check(u.active, "active")
    created.append(u)
alice, bob, carl, dora = created

step("identity document: write-only, only a mask comes back")
body = raw("GET", f"/Users/{alice.id}").json()
check("idDocumentNumber" not in body[EXT] and "5500000" not in str(body), f"no identity number: {body}")
check(body[EXT].get("idDocumentNumberMask", "").endswith("000"), f"a mask: {body[EXT]}")

step("create refusals: duplicate person, duplicate externalId, a password, bad values")
status, kind, detail = scim_error(scim.create, new_user(0, "Chan Again"))
check(status == 409 and kind == "uniqueness", f"same person twice: {status} {kind} {detail}")
status, kind, _ = scim_error(scim.create, new_user(9, "Other Person", "HR-001"))
check(status == 409 and kind == "uniqueness", f"same externalId twice: {status} {kind}")
pw = new_user(8, "Pass Word").model_dump(mode="json")
pw["password"] = "chosen by HR, never accepted"
r = raw("POST", "/Users", json=pw)
check(r.status_code == 400 and r.json()["scimType"] in ("mutability", "invalidValue"), f"password: {r.text}")
bad = new_user(7, "Bad Mobile").model_dump(mode="json")
bad["phoneNumbers"] = [{"value": "12345", "type": "mobile"}]
r = raw("POST", "/Users", json=bad)
check(r.status_code == 400 and r.json()["scimType"] == "invalidValue" and "phoneNumbers" in r.json()["detail"], r.text)
check(r.headers["content-type"].startswith("application/scim+json"), "errors are application/scim+json")
check(r.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"] and r.json()["status"] == "400", r.text)

# -- read and list ---------------------------------------------------------------------------
step("read one")
got = scim.query(User, bob.id)
check(got.name.formatted == "Wong Siu Ming" and got.external_id == "HR-002", "read back")
check(got.phone_numbers[0].value == f"+853{mobile_base + 1}", "its mobile")

step("list with filters")


def ids(resp):
    return [u.id for u in (resp.resources or [])]


every = scim.query(User)
check(every.total_results == 4, f"four staff Users, no administrator or entity account: {every.total_results}")
check(not set(hidden) & set(ids(every)), "hidden logins are not listed")
r = scim.query(User, query_parameters=SearchRequest(filter='userName eq "' + carl.id.upper() + '"'))
check(ids(r) == [carl.id], "userName eq, case-insensitive")
r = scim.query(User, query_parameters=SearchRequest(filter='name.formatted co "chan"'))
check(ids(r) == [alice.id], "co, case-insensitive")
r = scim.query(User, query_parameters=SearchRequest(filter='name.formatted sw "wong"'))
check(ids(r) == [bob.id], "sw")
r = scim.query(User, query_parameters=SearchRequest(filter='externalId pr and not (externalId eq "HR-002")'))
check(set(ids(r)) == {alice.id, carl.id}, "pr, and, not")
r = scim.query(User, query_parameters=SearchRequest(filter='(externalId eq "HR-001" or externalId ew "003") and active eq true'))
check(set(ids(r)) == {alice.id, carl.id}, "or, ew, parentheses, active")

step("paging")
p1 = scim.query(User, query_parameters=SearchRequest(start_index=1, count=3))
p2 = scim.query(User, query_parameters=SearchRequest(start_index=4, count=3))
check(p1.total_results == 4 and len(p1.resources) == 3 and len(p2.resources) == 1, "pages of 3")
check(ids(p1) + ids(p2) == [u.id for u in created], "in creation order, no overlap")
check(p1.start_index == 1 and p2.start_index == 4 and p1.items_per_page == 3, "startIndex and itemsPerPage")

step("bad filter")
status, kind, detail = scim_error(scim.query, User, query_parameters={"filter": "userName eq"}, check_request_payload=False)
check(status == 400 and kind == "invalidFilter" and "expected a value" in detail, f"{status} {kind} {detail}")
r = raw("GET", "/Users", params={"filter": 'nickName eq "x"'})
check(r.status_code == 400 and r.json()["scimType"] == "invalidFilter" and "nickName" in r.json()["detail"], r.text)

# -- replace ---------------------------------------------------------------------------------
step("replace (PUT) with If-Match")
etag = raw("GET", f"/Users/{dora.id}").headers["etag"]
check(etag == dora.meta.version, "the ETag header is meta.version")
dora.name.formatted = "Ho Weng Ian Maria"
dora.external_id = "HR-004"
replaced = scim.replace(dora, headers={"If-Match": etag})
check(replaced.name.formatted == "Ho Weng Ian Maria" and replaced.external_id == "HR-004", "replaced")
check(replaced.meta.version != etag, "a new version")
r = raw("PUT", f"/Users/{dora.id}", headers={"If-Match": etag}, json={**replaced.model_dump(mode="json"), "externalId": "HR-X"})
check(r.status_code == 412 and "scimType" not in r.json(), f"stale If-Match: {r.status_code} {r.text}")
check(scim.query(User, dora.id).external_id == "HR-004", "the stale write changed nothing")

# -- patch -----------------------------------------------------------------------------------
step("patch add, replace, remove; with and without path")


def patch(user, *ops, **kwargs):
    return scim.modify(User, user.id, PatchOp[User](operations=[PatchOperation[User](**o) for o in ops]), **kwargs)


u = patch(dora, {"op": "add", "path": "externalId", "value": "HR-005"})
check(u.external_id == "HR-005", "add with path")
u = patch(dora, {"op": "replace", "path": "name.formatted", "value": "Maria Ho"})
check(u.name.formatted == "Maria Ho", "replace a sub-attribute")
u = patch(dora, {"op": "replace", "value": {"externalId": "HR-006", "name": {"formatted": "Maria W. Ho"}}})
check(u.external_id == "HR-006" and u.name.formatted == "Maria W. Ho", "replace without path")
u = patch(dora, {"op": "add", "value": {"externalId": "HR-007"}})
check(u.external_id == "HR-007", "add without path")
u = patch(dora, {"op": "remove", "path": "externalId"})
check(u.external_id is None, "remove")
u = patch(dora, {"op": "replace", "path": 'phoneNumbers[type eq "mobile"].value', "value": f"+853{mobile_base + 3}"})
check(u.phone_numbers[0].value == f"+853{mobile_base + 3}", "a value filter naming the same mobile is accepted")

step("patch errors")
r = raw("PATCH", f"/Users/{dora.id}", json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "nickName", "value": "x"}]})
check(r.status_code == 400 and r.json()["scimType"] == "invalidPath", f"unknown path: {r.text}")
r = raw("PATCH", f"/Users/{dora.id}", json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": 'phoneNumbers[type eq "work"].value', "value": "x"}]})
check(r.status_code == 400 and r.json()["scimType"] == "noTarget", f"no target: {r.text}")
r = raw("PATCH", f"/Users/{dora.id}", json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "userName", "value": "mine"}]})
check(r.status_code == 400 and r.json()["scimType"] == "mutability", f"userName is the person's: {r.text}")
r = raw("PATCH", f"/Users/{dora.id}", json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": 'phoneNumbers[type eq "mobile"].value', "value": "+85366999999"}]})
check(r.status_code == 400 and r.json()["scimType"] == "mutability", f"the mobile cannot change: {r.text}")
r = raw("PATCH", f"/Users/{dora.id}", headers={"If-Match": 'W/"stale"'}, json={
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}]})
check(r.status_code == 412, f"stale If-Match on PATCH: {r.text}")
r = raw("POST", "/Users", content=b'{"schemas": [], "userName": "a", "USERNAME": "b"}')
check(r.status_code == 400 and r.json()["scimType"] == "invalidSyntax", f"a repeated attribute: {r.text}")

step("suspend and resume")
u = patch(carl, {"op": "replace", "path": "active", "value": False})
check(u.active is False, "suspended")
r = scim.query(User, query_parameters=SearchRequest(filter="active eq false"))
check(ids(r) == [carl.id], "listed as inactive")
u = patch(carl, {"op": "replace", "path": "active", "value": True})
check(u.active is True, "resumed")

# -- the credential's reach ------------------------------------------------------------------
step("other logins are invisible: 404 everywhere")
for h in hidden:
    check(raw("GET", f"/Users/{h}").status_code == 404, f"GET {h}")
    check(raw("PUT", f"/Users/{h}", json=alice.model_dump(mode="json")).status_code == 404, f"PUT {h}")
    r = raw("PATCH", f"/Users/{h}", json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}]})
    check(r.status_code == 404, f"PATCH {h}")
    check(raw("DELETE", f"/Users/{h}").status_code == 404, f"DELETE {h}")
check(Client(base_url=base).get("/Users").status_code == 401, "no bearer: 401")
check(Client(base_url=base, headers={"Authorization": "Bearer nope"}).get("/Users").status_code == 401, "bad bearer")

# -- delete ----------------------------------------------------------------------------------
step("delete with If-Match")
etag = raw("GET", f"/Users/{bob.id}").headers["etag"]
check(raw("DELETE", f"/Users/{bob.id}", headers={"If-Match": 'W/"old"'}).status_code == 412, "stale If-Match")
scim.delete(User, bob.id, headers={"If-Match": etag})
check(raw("GET", f"/Users/{bob.id}").status_code == 404, "gone")
check(scim.query(User).total_results == 3, "three left")

print(f"scim: ok {alice.id} {carl.id}", flush=True)
