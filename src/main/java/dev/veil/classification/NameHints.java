package dev.veil.classification;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tags suggested by a column's name or comment: synonyms in a few languages, matched on whole words
 * ({@link NameWords}) so that {@code hotel_name} is not a phone ({@code tel}), or on the whole name written as
 * one word ({@code emailaddress}, {@code customeremail}) for synonyms of five letters or more. A word after the
 * synonym that makes it describe something else ({@code email_verified}, {@code address_id}, {@code phone_type})
 * cancels the hint; so do the words of another kind of address ({@code ip_address} is not a postal address).
 */
final class NameHints {
    private static final Map<Tag, List<String>> SYNONYMS = synonyms();
    private static final Map<Tag, Set<String>> UNLESS = unless();
    private static final Set<String> QUALIFIERS = Set.of("type", "kind", "count", "status", "flag", "verified",
            "enabled", "confirmed", "format", "template", "id", "ids", "domain", "length", "policy", "country",
            "region", "provider", "opt", "optin", "consent", "visible", "public", "required", "changed", "updated",
            "expires", "expiry", "reset", "attempts", "strength", "algorithm", "version", "label", "prefix");

    private NameHints() {
    }

    /** Each tag the words point to, with the synonym that matched; qualifiers are applied to names, not to prose. */
    static Map<Tag, String> of(String text, boolean identifier) {
        List<String> words = NameWords.of(text);
        Map<Tag, String> out = new EnumMap<>(Tag.class);
        if (words.isEmpty()) {
            return out;
        }
        String compact = String.join("", words);
        SYNONYMS.forEach((tag, synonyms) -> {
            for (String synonym : synonyms) {
                Optional<String> hit = match(words, compact, synonym, identifier);
                if (hit.isPresent() && words.stream().noneMatch(UNLESS.getOrDefault(tag, Set.of())::contains)) {
                    out.put(tag, hit.get());
                    return;
                }
            }
        });
        return out;
    }

    private static Optional<String> match(List<String> words, String compact, String synonym, boolean identifier) {
        List<String> wanted = List.of(synonym.split("_"));
        for (int i = 0; i + wanted.size() <= words.size(); i++) {
            if (words.subList(i, i + wanted.size()).equals(wanted)) {
                int after = i + wanted.size();
                if (identifier && after < words.size() && QUALIFIERS.contains(words.get(after))) {
                    return Optional.empty();
                }
                return Optional.of(synonym);
            }
        }
        String joined = synonym.replace("_", "");
        if (identifier && words.size() == 1 && joined.length() >= 5 && (compact.startsWith(joined) && compact.length()
                - joined.length() <= 7 || compact.endsWith(joined))) {
            return Optional.of(synonym);
        }
        return Optional.empty();
    }

    private static Map<Tag, List<String>> synonyms() {
        Map<Tag, List<String>> m = new EnumMap<>(Tag.class);
        m.put(Tag.EMAIL, List.of("email", "e_mail", "mail", "email_address", "mail_address", "courriel", "correo",
                "emailadresse", "epost"));
        m.put(Tag.PHONE, List.of("phone", "telephone", "tel", "mobile", "cell", "cellphone", "msisdn", "fax",
                "telefono", "telefon", "telefone", "telephone_number", "handynummer", "portable"));
        m.put(Tag.PERSON_NAME, List.of("first_name", "last_name", "full_name", "given_name", "family_name", "surname",
                "forename", "middle_name", "maiden_name", "firstname", "lastname", "fullname", "customer_name",
                "contact_name", "person_name", "employee_name", "patient_name", "cardholder_name", "holder_name",
                "account_holder", "nombre", "apellido", "apellidos", "vorname", "nachname", "prenom", "nom_de_famille",
                "cognome", "voornaam", "achternaam"));
        m.put(Tag.ADDRESS, List.of("address", "addr", "street", "street_address", "address_line", "postal_code",
                "postcode", "zip", "zip_code", "zipcode", "house_number", "direccion", "adresse", "strasse",
                "indirizzo", "calle", "anschrift"));
        m.put(Tag.DATE_OF_BIRTH, List.of("dob", "date_of_birth", "birth_date", "birthdate", "birthday", "born_on",
                "birth_day", "fecha_nacimiento", "fecha_de_nacimiento", "geburtsdatum", "date_naissance",
                "date_de_naissance", "data_nascita"));
        m.put(Tag.NATIONAL_ID, List.of("ssn", "social_security", "social_security_number", "sin", "nin", "nino",
                "national_id", "national_insurance", "national_identity", "tax_id", "taxpayer_id", "tin", "passport",
                "passport_number", "driver_license", "drivers_license", "driving_licence", "driving_license", "nir",
                "dni", "nie", "nif", "cpf", "curp", "personnummer", "bsn", "aadhaar", "pesel", "codice_fiscale",
                "steuer_id", "steuernummer"));
        m.put(Tag.CREDIT_CARD, List.of("credit_card", "card_number", "cardnumber", "creditcard", "cc_number", "ccnum",
                "card_no", "card_num", "pan", "debit_card", "numero_tarjeta", "kartennummer"));
        m.put(Tag.IBAN, List.of("iban"));
        m.put(Tag.BANK_ACCOUNT, List.of("bank_account", "account_number", "acct_number", "acct_no", "account_no",
                "routing_number", "sort_code", "bank_number", "kontonummer", "numero_cuenta", "rib"));
        m.put(Tag.IP_ADDRESS, List.of("ip", "ip_address", "ipaddr", "ip_addr", "ipv4", "ipv6", "remote_addr",
                "client_addr", "ipaddress"));
        m.put(Tag.SECRET, List.of("password", "passwd", "pwd", "password_hash", "passhash", "secret", "client_secret",
                "token", "access_token", "refresh_token", "api_key", "apikey", "private_key", "secret_key", "auth_token",
                "session_token", "otp_secret", "totp_secret", "mfa_secret", "credential", "credentials", "passwort",
                "contrasena", "mot_de_passe", "passphrase"));
        m.put(Tag.FREE_TEXT, List.of("notes", "note", "comment", "comments", "remarks", "remark", "message", "bio",
                "biography", "feedback", "memo", "free_text", "observations", "notas", "kommentar", "commentaire",
                "annotation", "annotations"));
        return m;
    }

    private static Map<Tag, Set<String>> unless() {
        Map<Tag, Set<String>> m = new EnumMap<>(Tag.class);
        m.put(Tag.ADDRESS, Set.of("email", "mail", "ip", "mac", "wallet", "url", "web", "server", "host", "remote",
                "client", "ipv4", "ipv6", "memory", "contract"));
        return m;
    }
}
