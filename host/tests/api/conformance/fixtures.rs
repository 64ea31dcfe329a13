//! Records for the `Store` checks: one builder per entity kind, and a small tenant holding one
//! of each with the references between them right (a membership's company, agent and
//! departments exist, a number's department is its company's, a token's subject exists), as
//! the service writes them.

use std::collections::BTreeSet;

use switchyard_directory::{
    Account, Agent, AgentState, Change, Company, Day, Department, Identity, IdentityPolicy,
    MemberState, MemberStatus, Membership, NumberMapping, Role, Schedule, Scope, Seat, TimeOfDay,
    TokenHash, TokenRecord, Window,
};

/// Account `id`.
pub fn account(id: u64) -> Account {
    Account {
        id,
        name: format!("Account {id}"),
    }
}

/// Company `id` of main account `account` (standalone when `None`), without a SIP domain.
pub fn company(id: u64, account: Option<u64>) -> Company {
    Company {
        id,
        account_id: account,
        name: format!("Company {id}"),
        time_zone: "Europe/Berlin".to_owned(),
        wrap_up_secs: 15,
        identity_policy: IdentityPolicy::Shared,
        sip_domain: None,
    }
}

/// Agent `id` with e-mail `agent<id>@example.com` and no phone.
pub fn agent(id: u64) -> Agent {
    agent_with(id, Some(&format!("agent{id}@example.com")), None)
}

/// Agent `id` with the given identities.
pub fn agent_with(id: u64, email: Option<&str>, phone: Option<&str>) -> Agent {
    Agent {
        id,
        name: format!("Agent {id}"),
        email: email.map(str::to_owned),
        phone: phone.map(str::to_owned),
        state: AgentState::Activated,
    }
}

/// An identity as the index knows it: a phone when it starts with `+`, else an e-mail.
pub fn identity(s: &str) -> Identity {
    if s.starts_with('+') {
        Identity::Phone(s.to_owned())
    } else {
        Identity::Email(s.to_owned())
    }
}

/// Agent `agent`'s membership of `company` with `extension`, in no department.
pub fn member(company: u64, agent: u64, extension: &str) -> Membership {
    Membership {
        company_id: company,
        agent_id: agent,
        role: Role::Agent,
        extension: extension.to_owned(),
        departments: Default::default(),
        schedule: None,
        take_calls: true,
        panel_access: true,
        notifications: true,
        status: MemberStatus::Available,
        state: MemberState::Active,
    }
}

/// Department `id` of `company`.
pub fn department(id: u64, company: u64) -> Department {
    Department {
        id,
        company_id: company,
        name: format!("Department {id}"),
    }
}

/// `number` held by `company`, routed to its `department`.
pub fn number(number: &str, company: u64, department: u64) -> NumberMapping {
    NumberMapping {
        number: number.to_owned(),
        company_id: company,
        department_id: department,
    }
}

/// Token `id` granting `scope`, stored under the hash of `secret`.
pub fn token(secret: &str, id: u64, scope: Scope) -> (TokenHash, TokenRecord) {
    let record = TokenRecord {
        id,
        scope,
        label: Some(format!("token {id}")),
        created_ms: 1_700_000_000_000 + id,
    };
    (TokenHash::of(secret), record)
}

/// A [`Change::PutToken`] of [`token`].
pub fn put_token(secret: &str, id: u64, scope: Scope) -> Change {
    let (hash, record) = token(secret, id, scope);
    Change::PutToken(hash, record)
}

/// One record of every kind, with every optional field set, naming each other.
pub struct Tenant {
    pub account: Account,
    pub company: Company,
    pub agent: Agent,
    pub department: Department,
    pub membership: Membership,
    pub number: NumberMapping,
    /// One token per scope kind (operator, manager, company admin, agent, telephony).
    pub tokens: Vec<(TokenHash, TokenRecord)>,
}

/// A tenant whose ids start at `base` (ids `base..base + 10`), so two fit in one store.
pub fn tenant(base: u64) -> Tenant {
    let (acc, co, ag, dept) = (base, base + 1, base + 2, base + 3);
    let mut company = company(co, Some(acc));
    company.sip_domain = Some(format!("co{co}.sip.example.com"));
    let mut membership = member(co, ag, &format!("{}", 100 + base));
    membership.role = Role::Supervisor;
    membership.departments.insert(
        dept,
        Seat {
            tier: 2,
            skills: vec!["french".to_owned(), "billing".to_owned()],
        },
    );
    membership.schedule = Some(Schedule(vec![Window {
        day: Day::Tue,
        start: TimeOfDay::new(9, 30).unwrap(),
        end: TimeOfDay::new(17, 0).unwrap(),
    }]));
    membership.status = MemberStatus::Break;
    membership.notifications = false;
    let number = number(&format!("+4930555{base:04}"), co, dept);
    let secret = |kind: &str| format!("secret-{kind}-{base}");
    let tokens = vec![
        token(&secret("operator"), base + 4, Scope::Operator),
        token(
            &secret("manager"),
            base + 5,
            Scope::Manager { account_id: acc },
        ),
        token(
            &secret("admin"),
            base + 6,
            Scope::CompanyAdmin { company_id: co },
        ),
        token(&secret("agent"), base + 7, Scope::Agent { agent_id: ag }),
        token(
            &secret("telephony"),
            base + 8,
            Scope::Telephony {
                numbers: BTreeSet::from([number.number.clone()]),
            },
        ),
    ];
    Tenant {
        account: account(acc),
        company,
        agent: agent_with(
            ag,
            Some(&format!("agent{ag}@example.com")),
            Some(&format!("+4917000{base:04}")),
        ),
        department: department(dept, co),
        membership,
        number,
        tokens,
    }
}

impl Tenant {
    /// The changes that store the tenant, records before the records naming them.
    pub fn changes(&self) -> Vec<Change> {
        let mut changes = vec![
            Change::PutAccount(self.account.clone()),
            Change::PutCompany(self.company.clone()),
            Change::PutAgent(self.agent.clone()),
            Change::PutDepartment(self.department.clone()),
            Change::PutMembership(self.membership.clone()),
            Change::PutNumber(self.number.clone()),
        ];
        changes.extend(
            self.tokens
                .iter()
                .map(|(hash, record)| Change::PutToken(*hash, record.clone())),
        );
        changes
    }
}
