"""What partners offer and what stations ask for, in one vocabulary (R15, R19).

A resource request names a `ServiceCategory`; a partner lists the categories it can serve and,
finer-grained, its `Skill`s; both name the `TargetGroup`s concerned and count in `QuantityUnit`s.
Matching (later) compares these words, so partners and requests must use the same ones.
"""

from __future__ import annotations

from service.domain.vocabulary import Labelled


class ServiceCategory(Labelled):
    """The kinds of help a station can ask for and a partner can give."""

    VOLUNTEER_SERVICE = "volunteer_service", "志愿服务"
    PROFESSIONAL_SERVICE = "professional_service", "专业社工服务"
    FUNDS = "funds", "资金"
    GOODS = "goods", "物资"
    VENUE = "venue", "场地"
    SUPERVISION = "supervision", "督导"
    TRAINING = "training", "培训"
    UNIVERSITY_SUPPORT = "university_support", "高校支持"


class Skill(Labelled):
    """What a person or team can do; requests name the skills they need."""

    HOME_VISITS = "home_visits", "入户探访"
    COMPANIONSHIP = "companionship", "陪伴关怀"
    MEAL_ASSISTANCE = "meal_assistance", "助餐送餐"
    ELDERLY_CARE = "elderly_care", "助老服务"
    CHILD_TUTORING = "child_tutoring", "课业辅导"
    CHILD_PROTECTION = "child_protection", "儿童保护"
    DISABILITY_SUPPORT = "disability_support", "助残服务"
    REHABILITATION = "rehabilitation", "康复训练"
    PSYCHOLOGICAL_COUNSELLING = "psychological_counselling", "心理疏导"
    LEGAL_AID = "legal_aid", "法律援助"
    MEDICAL_CARE = "medical_care", "医疗护理"
    FIRST_AID = "first_aid", "急救"
    CASEWORK = "casework", "个案工作"
    GROUP_WORK = "group_work", "小组工作"
    COMMUNITY_ORGANISING = "community_organising", "社区组织"
    EVENT_SUPPORT = "event_support", "活动保障"
    DIGITAL_SKILLS = "digital_skills", "数字技能辅导"
    SIGN_LANGUAGE = "sign_language", "手语"
    TRANSLATION = "translation", "翻译"
    DRIVING = "driving", "驾驶接送"
    CULTURE_AND_SPORTS = "culture_and_sports", "文体活动"
    ENVIRONMENTAL = "environmental", "环境保护"
    EMERGENCY_RESPONSE = "emergency_response", "应急救援"
    FUNDRAISING = "fundraising", "筹款募捐"
    TRAINING_DELIVERY = "training_delivery", "授课培训"
    RESEARCH = "research", "调查研究"
    SUPERVISION = "supervision", "专业督导"


class TargetGroup(Labelled):
    """Who a service or a resource is for (R12's focus groups, as people)."""

    ELDERLY = "elderly", "老年人"
    CHILDREN = "children", "儿童"
    YOUTH = "youth", "青少年"
    PEOPLE_WITH_DISABILITIES = "people_with_disabilities", "残疾人"
    LOW_INCOME_FAMILIES = "low_income_families", "困难家庭"
    NEW_RESIDENTS = "new_residents", "新市民"
    RESIDENTS = "residents", "社区居民"


class QuantityUnit(Labelled):
    """How an amount is counted."""

    PEOPLE = "people", "人"
    HOURS = "hours", "小时"
    YUAN = "yuan", "元"
    ITEMS = "items", "件"
    SESSIONS = "sessions", "场次"
    SQUARE_METRES = "square_metres", "平方米"
