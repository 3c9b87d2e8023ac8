"""An event may keep a waiting list of limited length: the best of those not selected wait for
a place, the rest get their answer at once."""
from __future__ import annotations


def test_a_waiting_list_of_two_leaves_the_rest_not_selected(api, new_event):
    event = new_event("klimakronsj-2021", registration__capacity=2, selection={"quotas": [], "waitlist_size": 2})
    api.clock("2021-06-01T12:00:00+02:00")
    ids = []
    for i in range(6):
        r = api.post(f"/registration/events/{event['id']}/applications", json={
            "name": f"Søkar {i}", "email": f"sokar{i}@kommune.example", "organisation_type": "kommune",
            "municipality": ["0301", "4601", "5001", "1508", "1804", "5601"][i], "sector": "plan",
            "experience": "noe", "language": "nb", "consent": True})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    for i, app_id in enumerate(ids):  # later applicants score higher, so ranks are known
        assert api.put(f"/registration/applications/{app_id}/review", organiser=True,
                       json={"score": 1 + i % 5}).status_code == 200
    api.clock("2021-06-22T09:00:00+02:00")
    result = api.post(f"/registration/events/{event['id']}/selection", organiser=True).json()
    assert len(result["selected"]) == 2 and len(result["waitlist"]) == 2 and len(result["not_selected"]) == 2
    assert set(result["selected"]) | set(result["waitlist"]) | set(result["not_selected"]) == set(ids)
    statuses = {a["id"]: a["status"] for a in api.get(f"/registration/events/{event['id']}/applications",
                                                      organiser=True).json()}
    assert {statuses[i] for i in result["not_selected"]} == {"not_selected"}
    assert {statuses[i] for i in result["waitlist"]} == {"waitlisted"}
    assert {statuses[i] for i in result["selected"]} == {"offered"}


def test_a_negative_waiting_list_length_is_refused(api, new_event):
    event = new_event("klimakronsj-2021")
    event["selection"]["waitlist_size"] = -1
    r = api.put(f"/registration/events/{event['id']}", organiser=True, json=event)
    assert r.status_code == 422
    assert "selection.waitlist_size" in r.json()["error"]["fields"]
