//! What a ticket *is*, as opposed to which words it uses: whether its user is signed in,
//! whether the mail it sends is transactional, whether it must hide which accounts exist,
//! whether anybody types text into it.
//!
//! The phrasebook's templates were written for typical tickets of a domain. On a thin ticket
//! ("Password reset via email", nothing else) keyword matching alone put a signed-in user in
//! a password reset and made a security e-mail respect marketing preferences. These facts
//! are what a template checks before it is said (see [`super::phrasebook::Gate`]), so the
//! generator says less rather than something that contradicts the ticket.

use super::phrasebook::Presumes;
use crate::text_analysis::{Analysis, Lexicon};

/// Who performs the ticket's main action, as far as authentication goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Actor {
    /// An ordinary signed-in user: the default.
    SignedIn,
    /// Someone with an account who is not signed in: sign-in, password reset.
    SignedOut,
    /// Someone without an account yet: sign-up, registration.
    Visitor,
}

/// The facts of one ticket that decide which templates are true of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Facts {
    pub actor: Actor,
    /// The messages it sends must arrive whatever the user's marketing preferences:
    /// security notices, password resets, verification, receipts, invitations, alerts.
    pub transactional: bool,
    /// It must answer identically whether or not an account exists (account enumeration).
    pub hides_accounts: bool,
    /// Somebody types text into it, so lengths, required fields and escaping apply.
    pub text_input: bool,
    /// It builds one control (a toggle, a button), possibly on an existing screen, rather
    /// than a screen: the control has no loading or empty states of its own.
    pub control: bool,
}

/// Summary words of tickets whose user has no account yet.
const VISITOR: &[&str] = &["sign up", "signup", "register*", "registration"];

/// Summary words of tickets whose user has an account but is not signed in.
const SIGNED_OUT: &[&str] = &[
    "forgot*",
    "login",
    "log in",
    "logging in",
    "sign in",
    "signin",
    "signing in",
    "locked out",
    "magic link*",
];

/// Summary words of people who act on someone else's account, signed in themselves.
const ACTING_FOR_OTHERS: &[&str] = &[
    "admin*",
    "administrator*",
    "support agent*",
    "agents",
    "operator*",
    "force*",
    "on behalf",
];

/// Summary words of a single control.
pub(crate) const CONTROLS: &[&str] = &[
    "toggle*",
    "switch",
    "switches",
    "switcher*",
    "button*",
    "checkbox*",
    "dropdown*",
    "picker*",
    "selector*",
    "tooltip*",
    "badge*",
];

/// Mail that must be delivered regardless of preferences.
const TRANSACTIONAL: &[&str] = &[
    "password*",
    "reset*",
    "security",
    "verif*",
    "two-factor",
    "mfa",
    "2fa",
    "otp",
    "receipt*",
    "refund*",
    "invit*",
    "sign in",
    "sign up",
    "login",
    "new device*",
    "alert*",
    "on-call",
    "incident*",
];

/// Mail people choose to receive; when the ticket talks about it, preferences apply.
const OPTIONAL: &[&str] = &[
    "marketing",
    "newsletter*",
    "preference*",
    "digest*",
    "promot*",
    "campaign*",
    "unsubscrib*",
    "opt out",
    "opt-out",
];

/// Words that show the ticket says it must not reveal accounts.
const HIDES_ACCOUNTS: &[&str] = &["enumerat*", "probe", "probing", "account exists"];

/// Words of something a user types into.
const TEXT_INPUT: &[&str] = &[
    "input*",
    "field*",
    "form",
    "forms",
    "text",
    "textarea",
    "comment*",
    "note",
    "notes",
    "name",
    "names",
    "search*",
    "query",
    "queries",
    "email address*",
    "title",
    "titles",
    "password*",
    "code",
    "codes",
    "amount*",
    "login",
    "log in",
    "sign in",
    "sign up",
    "signup",
    "register*",
    "autocomplete",
    "invit*",
    "enter",
    "enters",
    "type",
    "types",
];

impl Facts {
    /// Reads the facts from an analysed ticket.
    pub fn of(analysis: &Analysis) -> Self {
        Facts::from_lexicon(&analysis.lexicon)
    }

    pub fn from_lexicon(lexicon: &Lexicon) -> Self {
        let in_summary = |words: &[&str]| words.iter().any(|word| lexicon.summary_hits(word) > 0);
        // The lexicon indexes word pairs at most, so "reset their password" is read as its
        // two words rather than as a phrase.
        let resets_password = in_summary(&["reset*"]) && in_summary(&["password*"]);
        // An administrator forcing a reset, or an agent acting for a customer, is signed in.
        let acts_for_others = in_summary(ACTING_FOR_OTHERS);
        let actor = if acts_for_others {
            Actor::SignedIn
        } else if in_summary(VISITOR) {
            Actor::Visitor
        } else if in_summary(SIGNED_OUT) || resets_password {
            Actor::SignedOut
        } else {
            Actor::SignedIn
        };
        Facts {
            actor,
            transactional: lexicon.any(TRANSACTIONAL) && !lexicon.any(OPTIONAL),
            // Anyone not signed in is asked for an account by name; answering "no such
            // account" differently would tell an attacker which accounts exist.
            hides_accounts: actor != Actor::SignedIn || lexicon.any(HIDES_ACCOUNTS),
            text_input: lexicon.any(TEXT_INPUT),
            control: in_summary(CONTROLS),
        }
    }

    /// The [`Presumes`] flags that hold for this ticket.
    pub fn presumptions(&self) -> Presumes {
        let mut flags = Presumes::NOTHING;
        if self.text_input {
            flags = flags.with(Presumes::TEXT_INPUT);
        }
        if self.actor == Actor::SignedIn {
            flags = flags.with(Presumes::SIGNED_IN);
        }
        if !self.transactional {
            flags = flags.with(Presumes::OPTIONAL_MESSAGES);
        }
        if self.control {
            flags = flags.with(Presumes::CONTROL);
        } else {
            flags = flags.with(Presumes::SCREEN);
        }
        if self.hides_accounts {
            flags = flags.with(Presumes::HIDES_ACCOUNTS);
        } else {
            flags = flags.with(Presumes::MAY_REVEAL_EXISTENCE);
        }
        flags
    }

    /// The opening "Given" of a scenario about the ticket's user.
    pub fn given_user(&self, role: &str) -> String {
        match self.actor {
            Actor::SignedIn => format!("Given a signed-in {role}"),
            Actor::SignedOut => format!("Given a signed-out {role} with an existing account"),
            Actor::Visitor => "Given a visitor without an account".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(summary: &str, body: &str) -> Facts {
        Facts::from_lexicon(&Lexicon::new(summary, &[body]))
    }

    #[test]
    fn password_reset_is_signed_out_transactional_and_hides_accounts() {
        let reset = facts("Password reset via email", "");
        assert_eq!(reset.actor, Actor::SignedOut);
        assert!(reset.transactional && reset.hides_accounts && reset.text_input);
        assert!(!reset.presumptions().contains(Presumes::SIGNED_IN));
        assert!(!reset.presumptions().contains(Presumes::OPTIONAL_MESSAGES));
    }

    #[test]
    fn toggles_have_no_text_input_and_marketing_mail_is_optional() {
        let toggle = facts("Dark mode toggle", "");
        assert_eq!(toggle.actor, Actor::SignedIn);
        assert!(toggle.control);
        assert!(facts("Add a dark mode toggle to the settings page", "").control);
        assert!(!facts("Patient search screen", "").control);
        assert!(!toggle.text_input && !toggle.hides_accounts);
        let marketing = facts("Let users choose which marketing emails they receive", "");
        assert!(!marketing.transactional);
        let alert = facts("Send security alert email when a new device signs in", "");
        assert!(alert.transactional && alert.actor == Actor::SignedIn && !alert.text_input);
        assert_eq!(
            facts("Verify email address on sign up", "").actor,
            Actor::Visitor
        );
        let reset = facts("Let customers reset their password by email", "");
        assert_eq!(reset.actor, Actor::SignedOut);
        let forced = facts(
            "Admins force a password reset for a compromised account",
            "",
        );
        assert_eq!(forced.actor, Actor::SignedIn);
    }
}
