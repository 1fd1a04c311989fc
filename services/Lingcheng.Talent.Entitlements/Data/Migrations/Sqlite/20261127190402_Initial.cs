using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Lingcheng.Talent.Entitlements.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuditRecords",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    OccurredAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    Principal = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Agency = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    PreviousHash = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditRecords", x => x.Sequence);
                });

            migrationBuilder.CreateTable(
                name: "BenefitRevisions",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Revision = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ProviderAgencyCodes = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    EligibleTiers = table.Column<string>(type: "TEXT", maxLength: 4, nullable: false),
                    QuotaPeriod = table.Column<int>(type: "INTEGER", nullable: false),
                    QuotaLimit = table.Column<int>(type: "INTEGER", nullable: false),
                    Active = table.Column<bool>(type: "INTEGER", nullable: false),
                    ChangedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ChangedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    RequestId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ChangedFields = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BenefitRevisions", x => new { x.Code, x.Revision });
                });

            migrationBuilder.CreateTable(
                name: "Benefits",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ProviderAgencyCodes = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    EligibleTiers = table.Column<string>(type: "TEXT", maxLength: 4, nullable: false),
                    QuotaPeriod = table.Column<int>(type: "INTEGER", nullable: false),
                    QuotaLimit = table.Column<int>(type: "INTEGER", nullable: false),
                    Active = table.Column<bool>(type: "INTEGER", nullable: false),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false),
                    Revision = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Benefits", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "CardFeedCursor",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    LastSequence = table.Column<long>(type: "INTEGER", nullable: false),
                    LastEventTime = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CardFeedCursor", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CardStates",
                columns: table => new
                {
                    CardNumber = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    TalentId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    Tier = table.Column<int>(type: "INTEGER", nullable: false),
                    ExpireTime = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    LastSequence = table.Column<long>(type: "INTEGER", nullable: false),
                    ChangedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CardStates", x => x.CardNumber);
                });

            migrationBuilder.CreateTable(
                name: "IdempotencyRecords",
                columns: table => new
                {
                    Operation = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RequestId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    Response = table.Column<byte[]>(type: "BLOB", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IdempotencyRecords", x => new { x.Operation, x.RequestId });
                });

            migrationBuilder.CreateTable(
                name: "Redemptions",
                columns: table => new
                {
                    RedemptionId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CardNumber = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CardVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    BenefitCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AgencyCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    TerminalId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RedeemTimeUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Period = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CstMonth = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 7, nullable: false),
                    CstYear = table.Column<int>(type: "INTEGER", nullable: false),
                    RecordedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Cancelled = table.Column<bool>(type: "INTEGER", nullable: false),
                    CancelTimeUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CancelReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Redemptions", x => x.RedemptionId);
                });

            migrationBuilder.CreateTable(
                name: "UsageCounters",
                columns: table => new
                {
                    CardNumber = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    BenefitCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Period = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Used = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageCounters", x => new { x.CardNumber, x.BenefitCode, x.Period });
                });

            migrationBuilder.InsertData(
                table: "BenefitRevisions",
                columns: new[] { "Code", "Revision", "Active", "ChangedAt", "ChangedBy", "ChangedFields", "Description", "EligibleTiers", "Name", "ProviderAgencyCodes", "QuotaLimit", "QuotaPeriod", "RequestId" },
                values: new object[,]
                {
                    { "ANNUAL_HEALTH_CHECK", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Free annual health check", "ABCD", "年度免费健康体检", "HOSP_PEOPLE,HOSP_TCM,HEALTH", 1, 2, null },
                    { "CHILD_KINDERGARTEN", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Children's kindergarten admission", "ABC", "子女入园", "EDU", 2, 3, null },
                    { "CHILD_SCHOOL_ENROLMENT", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Children's enrolment in compulsory education", "ABC", "子女入学", "EDU", 2, 3, null },
                    { "FREE_PUBLIC_TRANSIT", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Free urban and rural bus rides", "ABCD", "城乡公交免费乘车", "TRANSPORT", 0, 1, null },
                    { "GOV_SERVICE_GREEN_CHANNEL", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Government service green channel (一次办好)", "ABCD", "政务服务绿色通道", "APPROVAL,TAX,SCITECH,IIT,ORG", 0, 1, null },
                    { "HOUSING_SUBSIDY", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Home purchase subsidy", "AB", "购房补贴", "HOUSING,FINANCE", 1, 3, null },
                    { "HUKOU_EXIT_ENTRY", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Household registration and exit-entry documents", "ABCD", "落户与出入境证件便利", "PSB", 0, 1, null },
                    { "MEDICAL_GREEN_CHANNEL", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Priority registration, consultation and admission", "ABCD", "就医绿色通道", "HOSP_PEOPLE,HOSP_TCM", 0, 1, null },
                    { "MEDICAL_INSURANCE_SERVICE", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Priority medical-insurance services", "ABCD", "医保业务优先办理", "MEDINS", 0, 1, null },
                    { "RECUPERATION", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Recuperation leave", "AB", "疗休养", "UNION", 1, 2, null },
                    { "SCENIC_SPOT_ENTRY", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Free entry to A-grade scenic spots", "ABCD", "A级景区免费游览", "CULTOUR", 12, 2, null },
                    { "SPORTS_CULTURE_VENUES", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Free or priority use of sports and cultural venues", "ABCD", "体育场馆、文化场馆免费或优先使用", "EDU,CULTOUR", 0, 1, null },
                    { "SPOUSE_EMPLOYMENT", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Employment placement for the spouse", "AB", "配偶就业安置", "HRSS", 1, 3, null },
                    { "TALENT_APARTMENT", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Talent apartment", "ABCD", "人才公寓", "HOUSING", 1, 3, null },
                    { "TALENT_LOAN", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Talent loan financial services", "ABC", "人才贷金融服务", "FINREG", 1, 2, null },
                    { "TITLE_EVALUATION_FAST_TRACK", 1L, true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)), "seed", null, "Fast track for professional title evaluation", "ABCD", "职称评审绿色通道", "HRSS", 1, 2, null }
                });

            migrationBuilder.InsertData(
                table: "Benefits",
                columns: new[] { "Code", "Active", "Description", "EligibleTiers", "Name", "ProviderAgencyCodes", "QuotaLimit", "QuotaPeriod", "Revision", "SortOrder", "UpdatedAt" },
                values: new object[,]
                {
                    { "ANNUAL_HEALTH_CHECK", true, "Free annual health check", "ABCD", "年度免费健康体检", "HOSP_PEOPLE,HOSP_TCM,HEALTH", 1, 2, 1L, 2, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "CHILD_KINDERGARTEN", true, "Children's kindergarten admission", "ABC", "子女入园", "EDU", 2, 3, 1L, 5, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "CHILD_SCHOOL_ENROLMENT", true, "Children's enrolment in compulsory education", "ABC", "子女入学", "EDU", 2, 3, 1L, 4, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "FREE_PUBLIC_TRANSIT", true, "Free urban and rural bus rides", "ABCD", "城乡公交免费乘车", "TRANSPORT", 0, 1, 1L, 10, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "GOV_SERVICE_GREEN_CHANNEL", true, "Government service green channel (一次办好)", "ABCD", "政务服务绿色通道", "APPROVAL,TAX,SCITECH,IIT,ORG", 0, 1, 1L, 13, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "HOUSING_SUBSIDY", true, "Home purchase subsidy", "AB", "购房补贴", "HOUSING,FINANCE", 1, 3, 1L, 9, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "HUKOU_EXIT_ENTRY", true, "Household registration and exit-entry documents", "ABCD", "落户与出入境证件便利", "PSB", 0, 1, 1L, 14, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "MEDICAL_GREEN_CHANNEL", true, "Priority registration, consultation and admission", "ABCD", "就医绿色通道", "HOSP_PEOPLE,HOSP_TCM", 0, 1, 1L, 1, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "MEDICAL_INSURANCE_SERVICE", true, "Priority medical-insurance services", "ABCD", "医保业务优先办理", "MEDINS", 0, 1, 1L, 3, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "RECUPERATION", true, "Recuperation leave", "AB", "疗休养", "UNION", 1, 2, 1L, 16, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "SCENIC_SPOT_ENTRY", true, "Free entry to A-grade scenic spots", "ABCD", "A级景区免费游览", "CULTOUR", 12, 2, 1L, 11, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "SPORTS_CULTURE_VENUES", true, "Free or priority use of sports and cultural venues", "ABCD", "体育场馆、文化场馆免费或优先使用", "EDU,CULTOUR", 0, 1, 1L, 12, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "SPOUSE_EMPLOYMENT", true, "Employment placement for the spouse", "AB", "配偶就业安置", "HRSS", 1, 3, 1L, 6, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "TALENT_APARTMENT", true, "Talent apartment", "ABCD", "人才公寓", "HOUSING", 1, 3, 1L, 8, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "TALENT_LOAN", true, "Talent loan financial services", "ABC", "人才贷金融服务", "FINREG", 1, 2, 1L, 15, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) },
                    { "TITLE_EVALUATION_FAST_TRACK", true, "Fast track for professional title evaluation", "ABCD", "职称评审绿色通道", "HRSS", 1, 2, 1L, 7, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 8, 0, 0, 0)) }
                });

            migrationBuilder.InsertData(
                table: "CardFeedCursor",
                columns: new[] { "Id", "LastEventTime", "LastSequence", "UpdatedAt" },
                values: new object[] { 1, null, 0L, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) });

            migrationBuilder.CreateIndex(
                name: "IX_AuditRecords_Target",
                table: "AuditRecords",
                column: "Target");

            migrationBuilder.CreateIndex(
                name: "IX_Redemptions_CardNumber_RedeemTimeUtc",
                table: "Redemptions",
                columns: new[] { "CardNumber", "RedeemTimeUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_Redemptions_CstYear_BenefitCode_AgencyCode",
                table: "Redemptions",
                columns: new[] { "CstYear", "BenefitCode", "AgencyCode" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditRecords");

            migrationBuilder.DropTable(
                name: "BenefitRevisions");

            migrationBuilder.DropTable(
                name: "Benefits");

            migrationBuilder.DropTable(
                name: "CardFeedCursor");

            migrationBuilder.DropTable(
                name: "CardStates");

            migrationBuilder.DropTable(
                name: "IdempotencyRecords");

            migrationBuilder.DropTable(
                name: "Redemptions");

            migrationBuilder.DropTable(
                name: "UsageCounters");
        }
    }
}
