"""Controlled vocabularies of the policy, each term with its Chinese label for reports.

Stations declare their rooms (R6), management systems (R7), service items (R8, R18), operating
mode (R9), focus groups (R12) and specialties (R13) in these words and no others.
"""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A vocabulary whose members carry a Chinese label."""

    label_zh: str

    def __new__(cls, value: str, label_zh: str = "") -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label_zh = label_zh
        return member


class StationStatus(Labelled):
    """Life cycle of a station: planned → building → operating ⇄ suspended."""

    PLANNED = "planned", "规划中"
    BUILDING = "building", "建设中"
    OPERATING = "operating", "运营中"
    SUSPENDED = "suspended", "暂停运营"


class OperatingMode(Labelled):
    """R9: a station is run either by a purchased professional agency or by township posts."""

    PURCHASED_SERVICE = "purchased_service", "政府购买服务"
    TOWNSHIP_POSTS = "township_posts", "乡镇(街道)增设岗位"


class Facility(Labelled):
    """R6: the rooms a station sets up; R8: its service window for residents."""

    CASEWORK_ROOM = "casework_room", "个案工作室"
    GROUP_ACTIVITY_ROOM = "group_activity_room", "小组活动室"
    MULTIFUNCTION_ROOM = "multifunction_room", "多功能室"
    ARCHIVE_ROOM = "archive_room", "档案室"
    SERVICE_WINDOW = "service_window", "为民服务窗口"


class ManagementSystem(Labelled):
    """R7: the management systems a station establishes."""

    POSTS = "posts", "岗位管理"
    FINANCE = "finance", "财务管理"
    TRAINING = "training", "培训管理"
    VOLUNTEERS = "volunteers", "志愿者管理"
    ARCHIVES = "archives", "档案管理"


class FocusGroup(Labelled):
    """R12: the population groups a station concentrates on."""

    SOCIAL_ASSISTANCE = "social_assistance", "社会救助"
    ELDERLY_CARE = "elderly_care", "养老服务"
    CHILD_PROTECTION = "child_protection", "儿童关爱保护"
    DISABILITY_SUPPORT = "disability_support", "残疾人帮扶"
    COMMUNITY_GOVERNANCE = "community_governance", "社区治理"


class Specialty(Labelled):
    """R13: the specialised field of a station ("一站一品")."""

    ELDERLY = "elderly", "老年社会工作"
    ENTERPRISE = "enterprise", "企业社会工作"
    MEDICAL = "medical", "医务社会工作"
    SCHOOL = "school", "学校社会工作"
    ASSISTANCE = "assistance", "救助社会工作"
    FAMILY = "family", "家庭社会工作"
    YOUTH = "youth", "青少年社会工作"
    DISABILITY = "disability", "残障社会工作"
    COMMUNITY = "community", "社区社会工作"
    CORRECTIONAL = "correctional", "矫治社会工作"


class ServiceItemCategory(Labelled):
    """R8, R18: what an item on a station's published service list is about.

    `township_administrative_affairs` is a word the registry understands only to refuse it: R8
    forbids listing township administrative affairs as service content.
    """

    CASEWORK = "casework", "个案服务"
    GROUP_WORK = "group_work", "小组服务"
    COMMUNITY_WORK = "community_work", "社区活动"
    SOCIAL_ASSISTANCE = "social_assistance", "社会救助"
    MINOR_PROTECTION = "minor_protection", "未成年人保护"
    CHARITY_INCUBATION = "charity_incubation", "慈善组织培育孵化"
    SOCIAL_ORGANISATION_INCUBATION = "social_organisation_incubation", "社会组织培育孵化"
    ELDERLY_CARE = "elderly_care", "养老服务"
    CHILD_CARE = "child_care", "儿童关爱"
    DISABILITY_SUPPORT = "disability_support", "残疾人帮扶"
    COMMUNITY_GOVERNANCE = "community_governance", "社区治理"
    VOLUNTEER_SERVICE = "volunteer_service", "志愿服务"
    RESOURCE_LINKAGE = "resource_linkage", "资源链接"
    CAPACITY_BUILDING = "capacity_building", "能力建设与督导"
    TOWNSHIP_ADMINISTRATIVE_AFFAIRS = "township_administrative_affairs", "乡镇(街道)行政性事务"
