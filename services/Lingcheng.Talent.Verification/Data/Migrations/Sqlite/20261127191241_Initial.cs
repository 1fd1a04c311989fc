using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Lingcheng.Talent.Verification.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Agencies",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    EnglishName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Active = table.Column<bool>(type: "INTEGER", nullable: false),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Agencies", x => x.Code);
                });

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
                name: "CardStates",
                columns: table => new
                {
                    CardNumber = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    Tier = table.Column<int>(type: "INTEGER", nullable: false),
                    HolderDisplayName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ExpiresAtUnixSeconds = table.Column<long>(type: "INTEGER", nullable: false),
                    TalentId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CardStates", x => x.CardNumber);
                });

            migrationBuilder.CreateTable(
                name: "CardVerifications",
                columns: table => new
                {
                    AuditSequence = table.Column<long>(type: "INTEGER", nullable: false),
                    CardNumber = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    OccurredAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    AgencyCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    BenefitCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CardVerifications", x => x.AuditSequence);
                });

            migrationBuilder.CreateTable(
                name: "FeedCursor",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    LastSequence = table.Column<long>(type: "INTEGER", nullable: false),
                    StateAsOfUtcTicks = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FeedCursor", x => x.Id);
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
                name: "TrustedKeys",
                columns: table => new
                {
                    Kid = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SubjectPublicKeyInfo = table.Column<byte[]>(type: "BLOB", maxLength: 200, nullable: false),
                    ValidFromUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    ValidUntilUtcTicks = table.Column<long>(type: "INTEGER", nullable: true),
                    Status = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrustedKeys", x => x.Kid);
                });

            migrationBuilder.InsertData(
                table: "Agencies",
                columns: new[] { "Code", "Active", "EnglishName", "Name", "SortOrder" },
                values: new object[,]
                {
                    { "APPROVAL", true, "Administrative Approval Service Bureau", "陵城区行政审批服务局", 12 },
                    { "CULTOUR", true, "Culture and Tourism Bureau", "陵城区文化和旅游局", 11 },
                    { "EDU", true, "Education and Sports Bureau", "陵城区教育和体育局", 3 },
                    { "FINANCE", true, "Finance Bureau", "陵城区财政局", 14 },
                    { "FINREG", true, "Local Financial Supervision Bureau", "陵城区地方金融监管局", 15 },
                    { "HEALTH", true, "Health Bureau", "陵城区卫生健康局", 4 },
                    { "HOSP_PEOPLE", true, "District People's Hospital", "陵城区人民医院", 5 },
                    { "HOSP_TCM", true, "District Hospital of Traditional Chinese Medicine", "陵城区中医院", 6 },
                    { "HOUSING", true, "Housing and Urban-Rural Development Bureau", "陵城区住房和城乡建设局", 9 },
                    { "HRSS", true, "HR and Social Security Bureau", "陵城区人力资源和社会保障局", 2 },
                    { "IIT", true, "Industry and Information Technology Bureau", "陵城区工业和信息化局", 18 },
                    { "MEDINS", true, "Medical Security Bureau", "陵城区医疗保障局", 7 },
                    { "ORG", true, "District Party Committee Organisation Department", "中共德州市陵城区委组织部", 1 },
                    { "PSB", true, "Public Security Sub-bureau", "德州市公安局陵城分局", 8 },
                    { "SCITECH", true, "Science and Technology Bureau", "陵城区科学技术局", 13 },
                    { "TAX", true, "Lingcheng Tax Bureau", "国家税务总局德州市陵城区税务局", 16 },
                    { "TRANSPORT", true, "Transport Bureau", "陵城区交通运输局", 10 },
                    { "UNION", true, "District Federation of Trade Unions", "陵城区总工会", 17 }
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditRecords_Target",
                table: "AuditRecords",
                column: "Target");

            migrationBuilder.CreateIndex(
                name: "IX_CardVerifications_CardNumber_AuditSequence",
                table: "CardVerifications",
                columns: new[] { "CardNumber", "AuditSequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Agencies");

            migrationBuilder.DropTable(
                name: "AuditRecords");

            migrationBuilder.DropTable(
                name: "CardStates");

            migrationBuilder.DropTable(
                name: "CardVerifications");

            migrationBuilder.DropTable(
                name: "FeedCursor");

            migrationBuilder.DropTable(
                name: "IdempotencyRecords");

            migrationBuilder.DropTable(
                name: "TrustedKeys");
        }
    }
}
