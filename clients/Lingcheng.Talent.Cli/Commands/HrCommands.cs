using System.CommandLine;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Cli.Infrastructure;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.V1;
using static Lingcheng.Talent.Cli.Infrastructure.CommandExtensions;
using Tier = Lingcheng.Talent.V1.Tier;

namespace Lingcheng.Talent.Cli.Commands;

/// <summary><c>lct hr …</c>: the HR bureau's talents and cards. Calls as <c>--as hr</c> unless told otherwise.</summary>
internal static class HrCommands
{
    public const string DefaultAs = "hr";

    public static Command Create() => new Command("hr", Describe(
        "HR bureau (区人社局): register talents and manage their cards. The token of `lct login`; in Development without one, --as hr.",
        "lct hr talent add --name 张晓明 --gender male --document-type RESIDENT_ID --document-number 371403199001011235 ...",
        "lct hr talent import talents.csv",
        "lct hr card issue TALENT_ID",
        "lct hr card qr LC260000016 --png card.png"))
        .With(CreateTalent(), CreateCard());

    // ---------------------------------------------------------------- talents

    private static Command CreateTalent() => new Command("talent", Describe(
        "Register, show, list, update and import talents.",
        "lct hr talent list --tier A",
        "lct hr talent show 01JDZ5…",
        "lct hr talent import talents.csv --skip-invalid"))
        .With(TalentAdd(), TalentShow(), TalentList(), TalentUpdate(), TalentImportCommand.Create());

    private sealed class TalentFieldOptions
    {
        public Option<string?> Name { get; } = new("--name") { Description = "Full name, e.g. 张晓明" };
        public Option<string?> Gender { get; } = new("--gender") { Description = "male or female" };
        public Option<string?> DocumentType { get; } = new("--document-type") { Description = "RESIDENT_ID, PASSPORT, HK_MACAO_PERMIT, TAIWAN_PERMIT or FOREIGN_PERMANENT_RESIDENT_ID" };
        public Option<string?> DocumentNumber { get; } = new("--document-number") { Description = "Identity-document number (resident ID: 18 characters with the check digit)" };
        public Option<string?> Nationality { get; } = new("--nationality") { Description = "ISO 3166-1 alpha-3 code, e.g. CHN" };
        public Option<string?> Mobile { get; } = new("--mobile") { Description = "Mainland mobile number, 11 digits" };
        public Option<string?> Employer { get; } = new("--employer") { Description = "Employer name" };
        public Option<string?> CreditCode { get; } = new("--credit-code") { Description = "Employer's unified social credit code, 18 characters" };
        public Option<string?> Tier { get; } = new("--tier") { Description = "A, B, C or D" };
        public Option<string?> Programme { get; } = new("--programme") { Description = "Programme, e.g. 百人计划" };
        public Option<FileInfo?> Photo { get; } = new("--photo") { Description = "Photo file, JPEG or PNG, at most 200 KB" };

        public Symbol[] All => [Name, Gender, DocumentType, DocumentNumber, Nationality, Mobile, Employer, CreditCode, Tier, Programme, Photo];

        /// <summary>Fills the talent from the options given; returns the snake_case names of the fields set, and the problems.</summary>
        public (List<string> Fields, List<FieldProblem> Problems) Fill(CliContext c, V1.Talent talent)
        {
            var fields = new List<string>();
            var problems = new List<FieldProblem>();
            void Set(Option<string?> option, string field, Action<string> apply)
            {
                if (c.Get(option) is { } value)
                {
                    apply(value.Trim());
                    fields.Add(field);
                }
            }

            Set(Name, "full_name", v => talent.FullName = v);
            Set(Gender, "gender", v =>
            {
                if (TalentRules.TryParseGender(v, out var g))
                {
                    talent.Gender = g;
                }
                else
                {
                    problems.Add(new("gender", "expected male or female"));
                }
            });
            Set(DocumentType, "document_type", v =>
            {
                if (TalentRules.TryParseDocumentType(v, out var t))
                {
                    talent.DocumentType = t;
                }
                else
                {
                    problems.Add(new("document_type", "expected RESIDENT_ID, PASSPORT, HK_MACAO_PERMIT, TAIWAN_PERMIT or FOREIGN_PERMANENT_RESIDENT_ID"));
                }
            });
            Set(DocumentNumber, "document_number", v => talent.DocumentNumber = v.ToUpperInvariant());
            Set(Nationality, "nationality", v => talent.Nationality = v.ToUpperInvariant());
            Set(Mobile, "mobile_phone", v => talent.MobilePhone = v);
            Set(Employer, "employer_name", v => talent.EmployerName = v);
            Set(CreditCode, "employer_credit_code", v => talent.EmployerCreditCode = v.ToUpperInvariant());
            Set(Tier, "tier", v =>
            {
                if (TalentRules.TryParseTier(v, out var tier))
                {
                    talent.Tier = tier;
                }
                else
                {
                    problems.Add(new("tier", "expected A, B, C or D"));
                }
            });
            Set(Programme, "programme", v => talent.Programme = v);
            if (c.Get(Photo) is { } photo)
            {
                if (!photo.Exists)
                {
                    throw new CliException($"--photo {photo.FullName}: no such file");
                }

                var bytes = File.ReadAllBytes(photo.FullName);
                talent.Photo = ByteString.CopyFrom(bytes);
                talent.PhotoContentType = bytes is [0x89, 0x50, 0x4E, 0x47, ..] ? "image/png" : bytes is [0xFF, 0xD8, ..] ? "image/jpeg" : "";
                if (talent.PhotoContentType.Length == 0)
                {
                    problems.Add(new("photo", "must be a JPEG or PNG file"));
                }
                else if (bytes.Length > 200 * 1024)
                {
                    problems.Add(new("photo", "must be at most 200 KB"));
                }

                fields.Add("photo");
                fields.Add("photo_content_type");
            }

            return (fields, problems);
        }
    }

    private static Command TalentAdd()
    {
        var o = new TalentFieldOptions();
        var requestId = new Option<string?>("--request-id") { Description = "Idempotency key; a retry with the same id registers nothing new (default: a new id)" };
        var command = new Command("add", Describe(
            "Register a talent. Every field but --programme and --photo is required; the values are checked before anything is sent.",
            "lct hr talent add --name 张晓明 --gender male --document-type RESIDENT_ID --document-number 11010519491231002X \\",
            "    --nationality CHN --mobile 13800000000 --employer 陵城区农业科学研究所 --credit-code 91371403MA3C00000M --tier B --programme 农业英才"));
        command.With([.. o.All, requestId]);
        return command.Runs(async (c, ct) =>
        {
            var talent = new V1.Talent { Nationality = "CHN" };
            var (_, problems) = o.Fill(c, talent);
            problems.AddRange(TalentRules.Validate(talent, DateTimeOffset.UtcNow).Where(p => problems.All(q => q.Field != p.Field)));
            ThrowIfProblems(problems);
            var response = await c.Clients(DefaultAs).Registry.CreateTalentAsync(
                new CreateTalentRequest { RequestId = c.Get(requestId) ?? CliContext.NewRequestId(), Talent = talent }, CliContext.Call(ct));
            if (c.Json)
            {
                c.Out.WriteJson(response.Talent);
            }
            else
            {
                c.Out.Line($"Registered {response.Talent.FullName} as talent {response.Talent.TalentId}.");
                c.Out.Line($"Next: lct hr card issue {response.Talent.TalentId}");
            }

            return ExitCodes.Success;
        });
    }

    private static Command TalentShow()
    {
        var id = new Argument<string>("TALENT_ID") { Description = "The talent's id" };
        var photoOut = new Option<FileInfo?>("--photo-out") { Description = "Write the talent's photo to this file" };
        var command = new Command("show", Describe("Show one talent (HR officers see unmasked data).", "lct hr talent show TALENT_ID", "lct hr talent show TALENT_ID --photo-out photo.jpg --json"));
        command.With(id, photoOut);
        return command.Runs(async (c, ct) =>
        {
            var wantPhoto = c.Get(photoOut) is not null;
            var response = await c.Clients(DefaultAs).Registry.GetTalentAsync(new GetTalentRequest { TalentId = c.Get(id), IncludePhoto = wantPhoto }, CliContext.Call(ct));
            if (c.Get(photoOut) is { } file)
            {
                if (response.Talent.Photo.IsEmpty)
                {
                    throw new CliException("the talent has no photo");
                }

                await File.WriteAllBytesAsync(file.FullName, response.Talent.Photo.ToByteArray(), ct);
                response.Talent.Photo = ByteString.Empty;
            }

            if (c.Json)
            {
                c.Out.WriteJson(response.Talent);
            }
            else
            {
                c.Out.Write(Views.TalentDetails(response.Talent));
            }

            return ExitCodes.Success;
        });
    }

    private static Command TalentList()
    {
        var tier = new Option<string?>("--tier") { Description = "Only this tier (A–D)" };
        var employer = new Option<string?>("--employer") { Description = "Only talents whose employer name contains this text" };
        var namePrefix = new Option<string?>("--name-prefix") { Description = "Only talents whose name starts with this text" };
        var cardState = new Option<string?>("--card-state") { Description = "Only talents whose card is ACTIVE, SUSPENDED, REVOKED or EXPIRED" };
        var limit = new Option<int>("--limit") { Description = "At most this many talents (0: all)", DefaultValueFactory = _ => 0 };
        var command = new Command("list", Describe("List talents, in registration order. Document numbers and phones are shown masked; use --json or show for full data.",
            "lct hr talent list", "lct hr talent list --tier A --employer 医院", "lct hr talent list --card-state ACTIVE --json"));
        command.With(tier, employer, namePrefix, cardState, limit);
        return command.Runs(async (c, ct) =>
        {
            var request = new ListTalentsRequest
            {
                Tier = ParseTierOption(c.Get(tier)),
                EmployerName = c.Get(employer) ?? "",
                NamePrefix = c.Get(namePrefix) ?? "",
                CardState = ParseCardState(c.Get(cardState)),
            };
            var registry = c.Clients(DefaultAs).Registry;
            var talents = await Pages.CollectAsync<V1.Talent>(c.Get(limit), async (token, size) =>
            {
                request.PageToken = token;
                request.PageSize = size;
                var page = await registry.ListTalentsAsync(request, CliContext.Call(ct));
                return (page.Talents, page.NextPageToken);
            });
            if (c.Json)
            {
                c.Out.WriteJson(talents);
            }
            else
            {
                c.Out.Write(Views.TalentTable(talents).Render());
                c.Out.Line($"{talents.Count} talent(s)");
            }

            return ExitCodes.Success;
        });
    }

    private static Command TalentUpdate()
    {
        var id = new Argument<string>("TALENT_ID") { Description = "The talent's id" };
        var o = new TalentFieldOptions();
        var requestId = new Option<string?>("--request-id") { Description = "Idempotency key (default: a new id)" };
        var command = new Command("update", Describe(
            "Change a talent's fields: only the options given are changed. A tier or name change reaches the card's holder data too.",
            "lct hr talent update TALENT_ID --tier A",
            "lct hr talent update TALENT_ID --mobile 13900000000 --employer 陵城区人民医院"));
        command.With([id, .. o.All, requestId]);
        return command.Runs(async (c, ct) =>
        {
            var talent = new V1.Talent { TalentId = c.Get(id) };
            var (fields, problems) = o.Fill(c, talent);
            if (fields.Count == 0)
            {
                throw new CliException("nothing to change: give at least one option such as --tier or --mobile", ExitCodes.Usage);
            }

            if (fields.Contains("document_number") && !fields.Contains("document_type"))
            {
                throw new CliException("--document-number needs --document-type too (the number is checked against its type)", ExitCodes.Usage);
            }

            problems.AddRange(TalentRules.Validate(talent, DateTimeOffset.UtcNow, fields).Where(p => problems.All(q => q.Field != p.Field)));
            ThrowIfProblems(problems);
            var mask = new FieldMask();
            mask.Paths.AddRange(fields);
            var response = await c.Clients(DefaultAs).Registry.UpdateTalentAsync(
                new UpdateTalentRequest { RequestId = c.Get(requestId) ?? CliContext.NewRequestId(), Talent = talent, UpdateMask = mask }, CliContext.Call(ct));
            if (c.Json)
            {
                c.Out.WriteJson(response.Talent);
            }
            else
            {
                c.Out.Line($"Updated {string.Join(", ", fields.Where(f => f != "photo_content_type"))} of talent {response.Talent.TalentId}.");
                c.Out.Write(Views.TalentDetails(response.Talent));
            }

            return ExitCodes.Success;
        });
    }

    // ---------------------------------------------------------------- cards

    private static Command CreateCard() => new Command("card", Describe(
        "Issue cards and manage their life: renew, suspend, reinstate, revoke, re-issue; render the QR.",
        "lct hr card issue TALENT_ID",
        "lct hr card list --state ACTIVE",
        "lct hr card revoke LC260000016 --reason LEFT_DISTRICT",
        "lct hr card qr LC260000016 --png card.png"))
        .With(CardIssue(), CardShow(), CardList(), CardRenew(), CardSuspend(), CardReinstate(), CardRevoke(), CardReissue(), CardQr());

    private static Argument<string> CardArgument() => new("CARD") { Description = "The card number, e.g. LC260000016" };

    private static Option<string?> RequestIdOption() => new("--request-id") { Description = "Idempotency key; a retry with the same id changes nothing (default: a new id)" };

    private static Command CardIssue()
    {
        var talentId = new Argument<string>("TALENT_ID") { Description = "The talent to issue a card to" };
        var months = new Option<int>("--validity-months") { Description = "Validity in months (1–120; default: the registry's, 36)" };
        var requestId = RequestIdOption();
        var command = new Command("issue", Describe("Issue a card to a talent who has no card that is not revoked. Prints the card and its QR text.",
            "lct hr card issue TALENT_ID", "lct hr card issue TALENT_ID --validity-months 12 --json"));
        command.With(talentId, months, requestId);
        return command.Runs(async (c, ct) =>
        {
            var response = await c.Clients(DefaultAs).Registry.IssueCardAsync(new IssueCardRequest
            {
                RequestId = c.Get(requestId) ?? CliContext.NewRequestId(),
                TalentId = c.Get(talentId),
                ValidityMonths = c.Get(months),
            }, CliContext.Call(ct));
            if (c.Json)
            {
                c.Out.WriteJson(response);
            }
            else
            {
                c.Out.Line($"Issued card {response.Card.CardNumber}.");
                c.Out.Write(Views.CardDetails(response.Card));
                c.Out.Line($"QR text      {response.QrText}");
                c.Out.Line($"Next: lct hr card qr {response.Card.CardNumber} --png {response.Card.CardNumber}.png");
            }

            return ExitCodes.Success;
        });
    }

    private static Command CardShow()
    {
        var card = CardArgument();
        var command = new Command("show", Describe("Show one card.", "lct hr card show LC260000016"));
        command.With(card);
        return command.Runs(async (c, ct) =>
        {
            var response = await c.Clients(DefaultAs).Registry.GetCardAsync(new GetCardRequest { CardNumber = NormalizeCard(c.Get(card)) }, CliContext.Call(ct));
            WriteCard(c, response.Card, null);
            return ExitCodes.Success;
        });
    }

    private static Command CardList()
    {
        var state = new Option<string?>("--state") { Description = "Only cards in this state: ACTIVE, SUSPENDED, REVOKED, EXPIRED" };
        var talent = new Option<string?>("--talent") { Description = "Only the cards of this talent id" };
        var tier = new Option<string?>("--tier") { Description = "Only this tier (A–D)" };
        var limit = new Option<int>("--limit") { Description = "At most this many cards (0: all)" };
        var signedBy = new Option<string?>("--signed-by") { Description = "The reprint report: only cards in force whose printed static token this key (kid) signed" };
        var command = new Command("list", Describe("List cards, in card-number order.", "lct hr card list", "lct hr card list --state SUSPENDED", "lct hr card list --talent TALENT_ID --json",
            "lct hr card list --signed-by f4f7bb7953286e15   # cards to re-print after that key is revoked"));
        command.With(state, talent, tier, signedBy, limit);
        return command.Runs(async (c, ct) =>
        {
            var request = new ListCardsRequest
            {
                State = ParseCardState(c.Get(state)),
                TalentId = c.Get(talent) ?? "",
                Tier = ParseTierOption(c.Get(tier)),
                SignedByKid = c.Get(signedBy)?.Trim().ToLowerInvariant() ?? "",
            };
            var registry = c.Clients(DefaultAs).Registry;
            var cards = await Pages.CollectAsync<Card>(c.Get(limit), async (token, size) =>
            {
                request.PageToken = token;
                request.PageSize = size;
                var page = await registry.ListCardsAsync(request, CliContext.Call(ct));
                return (page.Cards, page.NextPageToken);
            });
            if (c.Json)
            {
                c.Out.WriteJson(cards);
            }
            else
            {
                c.Out.Write(Views.CardTable(cards).Render());
                c.Out.Line($"{cards.Count} card(s)");
            }

            return ExitCodes.Success;
        });
    }

    private static Command CardRenew()
    {
        var card = CardArgument();
        var months = new Option<int>("--validity-months") { Description = "New validity in months from now (1–120; default: the registry's, 36)" };
        var requestId = RequestIdOption();
        var command = new Command("renew", Describe("Extend a card's validity; prints the fresh QR text.", "lct hr card renew LC260000016", "lct hr card renew LC260000016 --validity-months 24"));
        command.With(card, months, requestId);
        return command.Runs(async (c, ct) =>
        {
            var response = await c.Clients(DefaultAs).Registry.RenewCardAsync(new RenewCardRequest
            {
                RequestId = c.Get(requestId) ?? CliContext.NewRequestId(),
                CardNumber = NormalizeCard(c.Get(card)),
                ValidityMonths = c.Get(months),
            }, CliContext.Call(ct));
            WriteCard(c, response.Card, response.QrText, response, "Renewed");
            return ExitCodes.Success;
        });
    }

    private static Command CardSuspend()
    {
        var card = CardArgument();
        var note = new Option<string>("--note") { Description = "Why the card is suspended (required)", Required = true };
        var requestId = RequestIdOption();
        var command = new Command("suspend", Describe("Suspend an active card (temporary; undo with reinstate).", "lct hr card suspend LC260000016 --note \"under investigation\""));
        command.With(card, note, requestId);
        return command.Runs(async (c, ct) =>
        {
            var response = await c.Clients(DefaultAs).Registry.SuspendCardAsync(new SuspendCardRequest
            {
                RequestId = c.Get(requestId) ?? CliContext.NewRequestId(),
                CardNumber = NormalizeCard(c.Get(card)),
                Note = c.Get(note) ?? "",
            }, CliContext.Call(ct));
            WriteCard(c, response.Card, null, response, "Suspended");
            return ExitCodes.Success;
        });
    }

    private static Command CardReinstate()
    {
        var card = CardArgument();
        var note = new Option<string?>("--note") { Description = "Optional note" };
        var requestId = RequestIdOption();
        var command = new Command("reinstate", Describe("Reinstate a suspended card.", "lct hr card reinstate LC260000016 --note \"cleared\""));
        command.With(card, note, requestId);
        return command.Runs(async (c, ct) =>
        {
            var response = await c.Clients(DefaultAs).Registry.ReinstateCardAsync(new ReinstateCardRequest
            {
                RequestId = c.Get(requestId) ?? CliContext.NewRequestId(),
                CardNumber = NormalizeCard(c.Get(card)),
                Note = c.Get(note) ?? "",
            }, CliContext.Call(ct));
            WriteCard(c, response.Card, null, response, "Reinstated");
            return ExitCodes.Success;
        });
    }

    private static Command CardRevoke()
    {
        var card = CardArgument();
        var reason = new Option<string>("--reason") { Description = "LEFT_DISTRICT, MISCONDUCT, DECEASED, DATA_ERROR or OTHER (required)", Required = true };
        var note = new Option<string?>("--note") { Description = "Details; required with OTHER" };
        var requestId = RequestIdOption();
        var command = new Command("revoke", Describe("Revoke a card for good (final). Agencies refuse it within a second.",
            "lct hr card revoke LC260000016 --reason LEFT_DISTRICT", "lct hr card revoke LC260000016 --reason OTHER --note \"duplicate registration\""));
        command.With(card, reason, note, requestId);
        return command.Runs(async (c, ct) =>
        {
            var parsed = ParseRevocationReason(c.Get(reason));
            var response = await c.Clients(DefaultAs).Registry.RevokeCardAsync(new RevokeCardRequest
            {
                RequestId = c.Get(requestId) ?? CliContext.NewRequestId(),
                CardNumber = NormalizeCard(c.Get(card)),
                Reason = parsed,
                Note = c.Get(note) ?? "",
            }, CliContext.Call(ct));
            WriteCard(c, response.Card, null, response, "Revoked");
            return ExitCodes.Success;
        });
    }

    private static Command CardReissue()
    {
        var card = CardArgument();
        var note = new Option<string?>("--note") { Description = "Why (loss, damage)" };
        var requestId = RequestIdOption();
        var command = new Command("reissue", Describe("Re-issue a lost or damaged card: same number, version + 1; the old card's QR becomes SUPERSEDED.",
            "lct hr card reissue LC260000016 --note lost"));
        command.With(card, note, requestId);
        return command.Runs(async (c, ct) =>
        {
            var response = await c.Clients(DefaultAs).Registry.ReissueCardAsync(new ReissueCardRequest
            {
                RequestId = c.Get(requestId) ?? CliContext.NewRequestId(),
                CardNumber = NormalizeCard(c.Get(card)),
                Note = c.Get(note) ?? "",
            }, CliContext.Call(ct));
            WriteCard(c, response.Card, response.QrText, response, "Re-issued");
            return ExitCodes.Success;
        });
    }

    private static Command CardQr()
    {
        var card = CardArgument();
        var png = new Option<FileInfo?>("--png") { Description = "Write a PNG image to this file" };
        var svg = new Option<FileInfo?>("--svg") { Description = "Write an SVG image to this file" };
        var pixels = new Option<int>("--pixels") { Description = "Pixels per QR module in the PNG (1–20; default 8)" };
        var light = new Option<bool>("--light") { Description = "Print for a terminal with a light background" };
        var command = new Command("qr", Describe("Render the card's QR (the static token printed on the card): PNG, SVG, or in the terminal (default).",
            "lct hr card qr LC260000016", "lct hr card qr LC260000016 --png card.png", "lct hr card qr LC260000016 --svg card.svg"));
        command.With(card, png, svg, pixels, light);
        return command.Runs(async (c, ct) =>
        {
            var clients = c.Clients(DefaultAs);
            await QrOutput.RenderCardAsync(c, clients.Registry, NormalizeCard(c.Get(card)), c.Get(png), c.Get(svg), c.Get(pixels), c.Get(light), ct);
            return ExitCodes.Success;
        });
    }

    // ---------------------------------------------------------------- helpers

    private static void WriteCard(CliContext c, Card card, string? qrText, IMessage? response = null, string? verb = null)
    {
        if (c.Json)
        {
            c.Out.WriteJson(response ?? card);
            return;
        }

        if (verb is not null)
        {
            c.Out.Line($"{verb} card {card.CardNumber}.");
        }

        c.Out.Write(Views.CardDetails(card));
        if (!string.IsNullOrEmpty(qrText))
        {
            c.Out.Line($"QR text            {qrText}");
        }
    }

    public static string NormalizeCard(string? card)
    {
        var value = (card ?? "").Trim().ToUpperInvariant();
        return CardNumber.IsValid(value) ? value : throw new CliException($"'{card}' is not a card number (LC + 8 digits + check character, e.g. LC260000016)", ExitCodes.Usage);
    }

    public static void ThrowIfProblems(IReadOnlyCollection<FieldProblem> problems)
    {
        if (problems.Count > 0)
        {
            throw new CliException("invalid input: " + string.Join("; ", problems.Select(p => $"{p.Field}: {p.Description}")));
        }
    }

    public static Tier ParseTierOption(string? text) =>
        string.IsNullOrEmpty(text) ? Tier.Unspecified
        : TalentRules.TryParseTier(text, out var tier) ? tier
        : throw new CliException($"--tier {text}: expected A, B, C or D", ExitCodes.Usage);

    public static CardState ParseCardState(string? text) => (text ?? "").Trim().ToUpperInvariant().Replace("CARD_STATE_", "", StringComparison.Ordinal) switch
    {
        "" => CardState.Unspecified,
        "ACTIVE" => CardState.Active,
        "SUSPENDED" => CardState.Suspended,
        "REVOKED" => CardState.Revoked,
        "EXPIRED" => CardState.Expired,
        _ => throw new CliException($"state {text}: expected ACTIVE, SUSPENDED, REVOKED or EXPIRED", ExitCodes.Usage),
    };

    public static RevocationReason ParseRevocationReason(string? text) => (text ?? "").Trim().ToUpperInvariant().Replace("REVOCATION_REASON_", "", StringComparison.Ordinal) switch
    {
        "LEFT_DISTRICT" => RevocationReason.LeftDistrict,
        "MISCONDUCT" => RevocationReason.Misconduct,
        "DECEASED" => RevocationReason.Deceased,
        "DATA_ERROR" => RevocationReason.DataError,
        "OTHER" => RevocationReason.Other,
        _ => throw new CliException($"--reason {text}: expected LEFT_DISTRICT, MISCONDUCT, DECEASED, DATA_ERROR or OTHER", ExitCodes.Usage),
    };
}

/// <summary>Reads every page of a List call (AIP-158), up to a limit.</summary>
internal static class Pages
{
    public static async Task<List<T>> CollectAsync<T>(int limit, Func<string, int, Task<(IEnumerable<T> Items, string NextPageToken)>> fetch)
    {
        var items = new List<T>();
        var token = "";
        do
        {
            var size = limit > 0 ? Math.Min(200, limit - items.Count) : 200;
            var (page, next) = await fetch(token, size);
            items.AddRange(page);
            token = next;
        }
        while (!string.IsNullOrEmpty(token) && (limit <= 0 || items.Count < limit));

        return limit > 0 && items.Count > limit ? items[..limit] : items;
    }
}
