"""Roles and the named permissions (``resource:action``) each one holds."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"
    INSPECTOR = "inspector"
    ANALYST = "analyst"
    ADMIN = "admin"
    AUDITOR = "auditor"
    PATROL = "patrol"  # a unit member signed in from the unit app
    SIMULATOR = "simulator"  # `qorgau simulate`: provisions simulated devices and crews, calls 102, runs a shift


class Permission(StrEnum):
    """Every permission a route can require; later domains' permissions are named here already."""

    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    TOKENS_WRITE = "tokens:write"
    AUDIT_READ = "audit:read"
    AUDIT_VERIFY = "audit:verify"
    EVENTS_READ = "events:read"
    SETTINGS_READ = "settings:read"
    CITY_READ = "city:read"
    CITY_WRITE = "city:write"
    DEVICES_READ = "devices:read"
    DEVICES_WRITE = "devices:write"
    ALARMS_READ = "alarms:read"
    ALARMS_ACK = "alarms:ack"
    ALARMS_RULES = "alarms:rules"
    ALARMS_ESCALATIONS = "alarms:escalations"
    INCIDENTS_READ = "incidents:read"
    INCIDENTS_WRITE = "incidents:write"
    UNITS_READ = "units:read"
    UNITS_WRITE = "units:write"
    UNITS_DISPATCH = "units:dispatch"
    UNITS_REPORT = "units:report"
    VIDEO_VIEW = "video:view"
    VIDEO_PLAYBACK = "video:playback"
    VIDEO_EXPORT = "video:export"
    VIDEO_ADMIN = "video:admin"
    STATS_READ = "stats:read"
    APPEALS_READ = "appeals:read"
    APPEALS_WRITE = "appeals:write"
    APPEALS_PERSONAL = "appeals:personal"  # applicants' names and contacts (every view audited)
    OFFENCES_READ = "offences:read"  # the registry's records (drill-down from a figure)
    OFFENCES_WRITE = "offences:write"  # import extracts, edit records and the article list, import official forms
    ROADS_READ = "roads:read"  # search plate reads (personal data: every search audited with its reason)
    ROADS_WATCHLISTS = "roads:watchlists"  # edit and import watch lists
    ROADS_CALIBRATE = "roads:calibrate"  # camera calibration, speed limits, the fines table
    VIOLATIONS_REVIEW = "violations:review"  # confirm or reject speed and red-light violations
    VOICE_ANSWER = "voice:answer"  # take SOS-terminal and 102 calls: answer, hold, mute, transfer, hang up, call back
    VOICE_RECORDINGS = "voice:recordings"  # play back call recordings (personal data: every playback audited)
    SIMULATION_RUN = "simulation:run"
    SHIFTS_READ = "shifts:read"  # the shift's summary and the handovers
    SHIFTS_HANDOVER = "shifts:handover"  # sign a handover, outgoing or incoming
    DISTRICTS_READ = "districts:read"  # police districts, their inspectors and figures
    DISTRICTS_WRITE = "districts:write"  # accept a new dated version of the districts (import, proposal)


P = Permission
_OPERATOR = {
    P.EVENTS_READ, P.CITY_READ, P.DEVICES_READ, P.ALARMS_READ, P.ALARMS_ACK, P.INCIDENTS_READ, P.INCIDENTS_WRITE,
    P.UNITS_READ, P.VIDEO_VIEW, P.VIDEO_PLAYBACK, P.TOKENS_WRITE, P.SHIFTS_READ, P.DISTRICTS_READ,
    P.VOICE_ANSWER, P.VOICE_RECORDINGS,
}
_DISPATCHER = _OPERATOR | {P.UNITS_DISPATCH, P.UNITS_WRITE, P.ROADS_READ}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OPERATOR: frozenset(_OPERATOR),
    Role.DISPATCHER: frozenset(_DISPATCHER),
    Role.SUPERVISOR: frozenset(_DISPATCHER | {P.ALARMS_ESCALATIONS, P.VIDEO_EXPORT, P.STATS_READ,
                                                   P.SHIFTS_HANDOVER, P.DISTRICTS_WRITE, P.APPEALS_READ,
                                                   P.APPEALS_WRITE, P.APPEALS_PERSONAL, P.OFFENCES_READ,
                                                   P.ROADS_WATCHLISTS, P.VIOLATIONS_REVIEW}),
    Role.INSPECTOR: frozenset({
        P.EVENTS_READ, P.CITY_READ, P.DEVICES_READ, P.INCIDENTS_READ, P.INCIDENTS_WRITE, P.UNITS_READ,
        P.VIDEO_VIEW, P.VIDEO_PLAYBACK, P.APPEALS_READ, P.APPEALS_WRITE, P.TOKENS_WRITE, P.UNITS_REPORT,
        P.DISTRICTS_READ, P.APPEALS_PERSONAL,
    }),
    Role.ANALYST: frozenset({
        P.EVENTS_READ, P.CITY_READ, P.DEVICES_READ, P.INCIDENTS_READ, P.STATS_READ, P.TOKENS_WRITE,
        P.DISTRICTS_READ, P.APPEALS_READ, P.OFFENCES_READ, P.OFFENCES_WRITE,
    }),
    Role.ADMIN: frozenset({
        P.USERS_READ, P.USERS_WRITE, P.TOKENS_WRITE, P.SETTINGS_READ, P.EVENTS_READ, P.CITY_READ, P.CITY_WRITE,
        P.DEVICES_READ,
        P.DEVICES_WRITE, P.ALARMS_READ, P.ALARMS_RULES, P.INCIDENTS_READ, P.UNITS_READ, P.UNITS_WRITE,
        P.SIMULATION_RUN, P.VIDEO_ADMIN, P.DISTRICTS_READ, P.DISTRICTS_WRITE, P.OFFENCES_WRITE, P.ROADS_CALIBRATE,
    }),
    Role.AUDITOR: frozenset({
        P.AUDIT_READ, P.AUDIT_VERIFY, P.USERS_READ, P.EVENTS_READ, P.CITY_READ, P.TOKENS_WRITE,
    }),
    Role.PATROL: frozenset({P.EVENTS_READ, P.CITY_READ, P.INCIDENTS_READ, P.UNITS_READ, P.UNITS_REPORT}),
    # What `qorgau simulate` calls (no video); SIMULATED_ONLY below confines its writes to simulated things.
    Role.SIMULATOR: frozenset((_DISPATCHER - {P.VIDEO_VIEW, P.ROADS_READ, P.VOICE_ANSWER, P.VOICE_RECORDINGS})
                              | {P.DEVICES_WRITE, P.USERS_READ, P.USERS_WRITE, P.SIMULATION_RUN,
                                 P.APPEALS_WRITE}),  # it answers its own appeals from memory, reads none
}

# Roles whose writes reach only what is marked simulated (users, devices, units): the simulator plays its own
# crews, panels and units and never touches a real one; the registry export and integrations are never simulated.
SIMULATED_ONLY: frozenset[Role] = frozenset({Role.SIMULATOR})
# Roles that read units' work (assignments) of their own unit only: a crew is not a dispatcher.
OWN_UNIT_ONLY: frozenset[Role] = frozenset({Role.PATROL})


def permissions_of(role: Role | str) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[Role(role)]
